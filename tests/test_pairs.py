"""Pair mode: shortest paths with ground stations as end points, the table, the CLI."""

from __future__ import annotations

import itertools

import numpy as np
import pyarrow.parquet as pq
import pytest
from scipy.sparse.csgraph import dijkstra
from typer.testing import CliRunner

from lifeline.cli import app
from lifeline.constants import C_KM_S
from lifeline.io.hypatia import write_network_dir
from lifeline.links.isl import plus_grid
from lifeline.orbits.walker import hypatia_tle_lines
from lifeline.pairs import (
    PAIRS_SCHEMA,
    PairNetwork,
    PairSelectionError,
    positions_km,
    prepare,
    resolve_pairs,
    run_pairs,
    solve_step,
)

#: Four stations on a small 6 x 6 shell (550 km, 53 deg): some pairs far apart.
STATIONS = (
    "0,Quito,-0.18,-78.47,0\n1,Nairobi,-1.29,36.82,0\n2,Oslo,59.91,10.75,0\n"
    "3,Perth,-31.95,115.86,0\n"
)
MAX_GSL_M = 2_500_000.0
MAX_ISL_M = 9_000_000.0


@pytest.fixture(scope="module")
def small_dir(tmp_path_factory):
    records = hypatia_tle_lines(6, 6, 53.0, 15.19, name="Small")
    plane, slot = np.repeat(np.arange(6), 6), np.tile(np.arange(6), 6)
    return write_network_dir(
        tmp_path_factory.mktemp("small"),
        6,
        6,
        records,
        plus_grid(plane, slot),
        STATIONS,
        MAX_GSL_M,
        MAX_ISL_M,
    )


def _network(small_dir) -> PairNetwork:
    from lifeline.io.hypatia import read_network_dir

    return PairNetwork.from_hypatia(read_network_dir(small_dir))


def test_brute_force_no_relay_through_stations(small_dir):
    """Every pair's length equals min over entry/exit satellites of GSL + ISL-only + GSL."""
    network = _network(small_dir)
    prepared = prepare(network)
    when = network.epoch_utc + np.arange(0, 3000, 600).astype("timedelta64[s]")
    r_all, valid_all = positions_km(prepared, when)
    pairs = resolve_pairs("all", network.gs_names)
    for r_km, valid in zip(r_all, valid_all, strict=True):
        step = solve_step(prepared, r_km, valid, pairs[:, 0], pairs[:, 1])
        n = len(r_km)
        isl = np.full((n, n), np.inf)
        for a, b in prepared.isl_edges:
            d = np.linalg.norm(r_km[a] - r_km[b])
            if d <= network.max_isl_km:
                isl[a, b] = isl[b, a] = d
        sat_dist = dijkstra(np.where(np.isfinite(isl), isl, 0), directed=False)
        gsl = np.linalg.norm(r_km[None, :, :] - prepared.site_km[:, None, :], axis=-1)
        gsl = np.where(np.float32(gsl * 1e3) <= network.max_gsl_km * 1e3, gsl, np.inf)
        for k, (s, d) in enumerate(pairs):
            expected = np.min(gsl[s][:, None] + sat_dist + gsl[d][None, :])
            assert step.length_km[k] == pytest.approx(expected, rel=1e-12, abs=1e-9)
            path = step.path(k)
            if np.isfinite(expected):
                assert path[0] == n + s and path[-1] == n + d
                assert all(node < n for node in path[1:-1])  # stations only at the ends
                assert step.hops[k] == len(path) - 1
            else:
                assert path == [] and np.isnan(step.rtt_ms[k])
        assert np.allclose(
            step.rtt_ms[np.isfinite(step.length_km)],
            2e3 * step.length_km[np.isfinite(step.length_km)] / C_KM_S,
        )


def test_resolve_pairs():
    names = ["Paris", "Moskva-(Moscow)", "Tokyo", "Saint-Denis"]
    assert resolve_pairs("all", names).tolist() == [
        list(p) for p in itertools.combinations(range(4), 2)
    ]
    assert resolve_pairs("Paris-Moscow, 2->0,Saint-Denis-Tokyo", names).tolist() == [
        [0, 1],
        [2, 0],
        [3, 2],
    ]
    with pytest.raises(PairSelectionError, match="unknown ground station"):
        resolve_pairs("Paris-Atlantis", names)
    with pytest.raises(PairSelectionError, match="two different"):
        resolve_pairs("Paris-Paris", names)
    with pytest.raises(PairSelectionError, match="at least one"):
        resolve_pairs(" , ", names)


def test_run_writes_table(small_dir, tmp_path):
    network = _network(small_dir)
    pairs = resolve_pairs("all", network.gs_names)
    result = run_pairs(network, 3.0, 0.5, pairs, tmp_path, block_steps=4)
    table = pq.read_table(result.path)
    assert table.schema.equals(PAIRS_SCHEMA, check_metadata=False)
    assert table.num_rows == 6 * len(pairs)
    assert table.column("time_s").to_pylist()[:: len(pairs)] == [0.0, 0.5, 1.0, 1.5, 2.0, 2.5]
    rtt = table.column("rtt_ms").to_numpy()
    connected = table.column("connected").to_numpy()
    assert np.array_equal(np.isfinite(rtt), connected)
    assert (tmp_path / "pairs_meta.json").is_file()
    assert not list(tmp_path.glob("*.partial"))


def test_cli_hypatia_and_analyze(small_dir, tmp_path):
    runner = CliRunner()
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        ["hypatia", str(small_dir), "--duration-s", "2", "--step-ms", "500", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert (out / "pairs.parquet").is_file()
    result = runner.invoke(app, ["analyze", str(out)])
    assert result.exit_code == 0, result.output
    assert "pairs x 4 steps" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["--duration-s", "2", "--step-ms", "500", "--pairs", "Quito-Atlantis"],
        ["--duration-s", "2", "--step-ms", "0"],
    ],
)
def test_cli_errors_exit_2(small_dir, tmp_path, args):
    result = CliRunner().invoke(app, ["hypatia", str(small_dir), *args, "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "error:" in result.output


def test_cli_missing_dir_exit_2(tmp_path):
    result = CliRunner().invoke(
        app, ["hypatia", str(tmp_path / "nope"), "--duration-s", "1", "--step-ms", "100"]
    )
    assert result.exit_code == 2
    assert "satellite-network folder" in result.output
