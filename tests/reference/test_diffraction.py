"""Smooth-Earth diffraction (ITU-R P.526-15 §3.2) against ITU-R's published example values."""

import csv
from pathlib import Path

import numpy as np
import pytest

from lifeline.links.jamming import smooth_earth_diffraction_db

DATA = Path(__file__).parent / "data" / "itu-r-p452-17-flat-land-ldsph.csv"
#: The examples' median effective Earth radius [km] (DN = 53 N-units/km, P.452-17 eq. (6a)), as
#: a k-factor on lifeline's mean Earth radius.
EXAMPLE_A_E_KM = 9617.75961538462
#: Beyond the horizon the first-term formula is the same arithmetic: agreement to rounding.
BEYOND_HORIZON_DB = 1e-9
#: Inside the horizon the examples take λ = 0.3 / f[GHz] m where lifeline uses c / f exactly
#: (0.07 % longer); that moves the Fresnel clearance, worth up to 0.005 dB here.
INSIDE_HORIZON_DB = 0.01


def _rows():
    with open(DATA, encoding="utf-8") as f:
        lines = [ln for ln in f if not ln.startswith("#")]
    return [{k: float(v) for k, v in r.items()} for r in csv.DictReader(lines)]


@pytest.mark.parametrize(
    "row", _rows(), ids=lambda r: f"{r['distance_km']:g}km-{r['freq_ghz']:g}GHz"
)
def test_matches_itu_validation_examples(row):
    from lifeline.constants import EARTH_MEAN_RADIUS_KM

    loss = smooth_earth_diffraction_db(
        row["distance_km"], 10.0, 10.0, row["freq_ghz"], EXAMPLE_A_E_KM / EARTH_MEAN_RADIUS_KM
    )
    tol = BEYOND_HORIZON_DB if row["distance_km"] > 30 else INSIDE_HORIZON_DB
    assert loss == pytest.approx(row["ldsph_db"], abs=tol)


def test_fades_through_the_horizon_instead_of_stopping():
    # A 10 m jammer and a 2 m terminal at 11.7 GHz on a 4/3 Earth: horizon 4.12 (√10 + √2) =
    # 18.9 km. The loss rises continuously from 0 (full Fresnel clearance) through the horizon
    # and keeps rising (≈ 2 dB/km at Ku: 17.6 X with X = 0.119 d), never jumping.
    d = np.linspace(0.5, 60.0, 600)
    loss = smooth_earth_diffraction_db(d, 10.0, 2.0, 11.7)
    assert loss[0] == 0.0
    assert np.all(np.diff(loss) >= -1e-9)
    assert np.max(np.diff(loss)) < 0.5  # 0.1 km steps: no jump at the horizon
    slope = (loss[-1] - loss[-101]) / (d[-1] - d[-101])
    assert slope == pytest.approx(
        17.6 * 21.88 * (11.7 / (4 / 3 * 6371.0088) ** 2) ** (1 / 3), rel=0.05
    )
    assert np.isnan(smooth_earth_diffraction_db(0.0, 10.0, 2.0, 11.7))
