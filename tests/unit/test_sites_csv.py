"""Gateway/PoP CSV values are checked against the same ranges as a scenario's sites: a row read
here is always a valid gateway (a candidates CSV with min_elevation_deg = 200 ended in a raw
pydantic ValidationError inside the planner)."""

from __future__ import annotations

import pytest

from lifeline.io.sites import SitesError, read_gateways_csv


def _csv(tmp_path, text: str):
    path = tmp_path / "candidates.csv"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    "column, value, allowed",
    [
        ("min_elevation_deg", "200", "min_elevation_deg = 200.0: a number in 0..90"),
        ("min_elevation_deg", "-1", "min_elevation_deg = -1.0: a number in 0..90"),
        ("alt_m", "12000", "alt_m = 12000.0: a number in -500..9000"),
        ("max_satellites", "0", "max_satellites = 0: an integer in 1..1000000"),
        ("max_satellites", "2.5", "max_satellites = '2.5': an integer in 1..1000000"),
    ],
)
def test_out_of_range_values_are_located(tmp_path, column, value, allowed):
    path = _csv(tmp_path, f"name,lat_deg,lon_deg,{column}\nA,45,30,10\nB,46,31,{value}\n")
    if column == "max_satellites":
        path = _csv(tmp_path, f"name,lat_deg,lon_deg,{column}\nA,45,30,3\nB,46,31,{value}\n")
    with pytest.raises(SitesError) as info:
        read_gateways_csv(path)
    assert str(info.value) == f"{path}:3: {allowed}"


def test_zero_elevation_is_kept(tmp_path):
    rows = read_gateways_csv(
        _csv(
            tmp_path,
            "name,lat_deg,lon_deg,min_elevation_deg,alt_m,max_satellites\nA,45,30,0,300,2\n",
        )
    )
    assert rows == [
        {"name": "A", "lat_deg": 45.0, "lon_deg": 30.0, "min_elevation_deg": 0.0, "alt_m": 300.0,
         "max_satellites": 2}
    ]  # fmt: skip


def test_oversized_field_is_a_located_error(tmp_path):
    # The csv module refuses fields over 131,072 characters (csv.field_size_limit()).
    path = _csv(tmp_path, 'name,lat_deg,lon_deg\n"' + "A" * 200_000 + '",45,30\n')
    with pytest.raises(SitesError) as info:
        read_gateways_csv(path)
    assert str(info.value).startswith(f"{path}:")
    assert str(info.value).endswith("a CSV file (field larger than field limit (131072))")
