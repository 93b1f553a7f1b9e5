"""Gateway antennas for the satellites users need (lifeline.network.topology.allocate_feeders)."""

from __future__ import annotations

import itertools

import numpy as np

from lifeline.network.assign import limit_per_site
from lifeline.network.topology import allocate_feeders


def pairs(rows):
    """(site, sat, elevation) rows -> arrays sorted by site, then descending elevation."""
    rows = sorted(rows, key=lambda x: (x[0], -x[2]))
    site, sat, elev = (np.array(c) for c in zip(*rows, strict=True))
    return site, sat, elev.astype(float)


def test_wanted_satellite_gets_an_antenna_before_higher_ones():
    # Gateway 0 with 2 antennas sees sats 0, 1 (high) and 2 (low, the only one a terminal sees).
    site, sat, elev = pairs([(0, 0, 80.0), (0, 1, 70.0), (0, 2, 30.0)])
    wanted = np.array([False, False, True])
    top = limit_per_site(site, np.array([2]))
    assert not top[sat == 2].any()  # the old rule: the two highest
    keep = allocate_feeders(site, sat, np.array([2]), wanted)
    assert keep[sat == 2].all() and keep.sum() == 2
    assert keep[sat == 0].all()  # the leftover antenna goes to the highest other one


def test_no_binding_limit_keeps_every_pair():
    site, sat, elev = pairs([(0, 0, 80.0), (0, 1, 70.0), (1, 1, 50.0), (1, 2, 30.0)])
    keep = allocate_feeders(site, sat, np.array([8, 8]), np.array([True, False, True]))
    assert keep.all()


def test_matching_covers_as_many_wanted_satellites_as_brute_force():
    """Random small cases: the number of wanted satellites with a feeder equals the best over
    every way of giving each gateway's antennas to its visible satellites."""
    rng = np.random.default_rng(3)
    for _ in range(40):
        n_sites, n_sats = 3, 6
        visible = rng.random((n_sites, n_sats)) < 0.5
        if not visible.any():
            continue
        g_idx, s_idx = np.nonzero(visible)
        rows = [(g, s, float(rng.uniform(25, 90))) for g, s in zip(g_idx, s_idx, strict=True)]
        site, sat, elev = pairs(rows)
        cap = rng.integers(1, 3, n_sites)
        wanted = rng.random(n_sats) < 0.6
        keep = allocate_feeders(site, sat, cap, wanted)
        assert np.all(np.bincount(site[keep], minlength=n_sites) <= cap)
        got = len(set(sat[keep & wanted[sat]]))
        best = 0
        per_site = [np.flatnonzero(site == g) for g in range(n_sites)]
        choices = [
            list(itertools.combinations(idx, min(cap[g], len(idx))))
            for g, idx in enumerate(per_site)
        ]
        for combo in itertools.product(*choices):
            chosen = np.concatenate([np.array(c, dtype=int) for c in combo])
            best = max(best, len(set(sat[chosen][wanted[sat[chosen]]])))
        assert got == best
        # Every antenna is used when there is something to track.
        expected = np.minimum(cap, np.bincount(site, minlength=n_sites))
        np.testing.assert_array_equal(np.bincount(site[keep], minlength=n_sites), expected)
