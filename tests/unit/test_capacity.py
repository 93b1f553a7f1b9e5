"""Max-min fair sharing: a hand-computed case, properties, beams and cells."""

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from lifeline.links.capacity import beam_sharing, cell_index, incidence_matrix, max_min_fair

#: Rates are exact up to floating-point rounding.
ONE_BIT_PER_S_MBPS = 1e-6


def test_hand_computed_case():
    # Five terminals. Beam A (100 Mbit/s) serves t0, t1, t2; beam B (60) serves t3, t4; feeder F
    # (90) carries t2, t3, t4; t0 wants only 10.
    # Progressive filling by hand: all rise together; at 10 t0 meets its demand. Beam B's share
    # is 30 each, feeder F's (90 − 0)/3 = 30, beam A's (100 − 10)/2 = 45: at 30, B and F fill
    # (t2, t3, t4 = 30). t1 continues alone on A: 100 − 10 − 30 = 60.
    # Result: [10, 60, 30, 30, 30].
    flows = [0, 1, 2, 3, 4, 2, 3, 4]
    res = [0, 0, 0, 1, 1, 2, 2, 2]
    a = incidence_matrix(5, flows, res, 3)
    rate = max_min_fair(a, [100.0, 60.0, 90.0], [10.0, np.inf, np.inf, np.inf, np.inf])
    np.testing.assert_allclose(rate, [10, 60, 30, 30, 30], atol=ONE_BIT_PER_S_MBPS)


def test_many_terminals_in_one_cell_share_the_beam():
    # 8 terminals in one 800 Mbit/s beam, each wanting 200, except two wanting 20: the two get 20,
    # the other six share 760: 126.67 each (max-min fairness, Bertsekas & Gallager §6.5.2).
    demand = np.array([200.0] * 6 + [20.0] * 2)
    a = incidence_matrix(8, np.arange(8), np.zeros(8), 1)
    rate = max_min_fair(a, [800.0], demand)
    np.testing.assert_allclose(rate, [760 / 6] * 6 + [20, 20], atol=ONE_BIT_PER_S_MBPS)


def test_weighted_beam_time_shares():
    # A beam shared in time: terminal 0 at 800 Mbit/s (whole beam), terminal 1 at 400. Weights
    # 1/800 and 1/400, beam capacity 1 (all of its time). Equal rates x: x/800 + x/400 = 1 →
    # x = 266.67 Mbit/s each.
    a = incidence_matrix(2, [0, 1], [0, 0], 1, weight=[1 / 800, 1 / 400])
    rate = max_min_fair(a, [1.0], [np.inf, np.inf])
    np.testing.assert_allclose(rate, [800 / 3, 800 / 3], atol=ONE_BIT_PER_S_MBPS)


def test_edge_cases():
    a = incidence_matrix(3, [1, 2], [0, 0], 1)
    # t0 crosses nothing: its demand; t1, t2 on a dead link: 0; zero demand: 0.
    rate = max_min_fair(a, [0.0], [5.0, 7.0, 0.0])
    np.testing.assert_array_equal(rate, [5.0, 0.0, 0.0])


@st.composite
def networks(draw):
    n_flows = draw(st.integers(1, 12))
    n_res = draw(st.integers(1, 6))
    member = draw(
        st.lists(
            st.lists(st.booleans(), min_size=n_res, max_size=n_res),
            min_size=n_flows,
            max_size=n_flows,
        )
    )
    cap = draw(st.lists(st.floats(0.0, 100.0), min_size=n_res, max_size=n_res))
    dem = draw(st.lists(st.floats(0.0, 150.0), min_size=n_flows, max_size=n_flows))
    return sp.csr_array(np.array(member, dtype=float)), np.array(cap), np.array(dem)


@settings(max_examples=200, deadline=None)
@given(networks())
def test_max_min_fair_properties(net):
    # Bertsekas & Gallager §6.5.2: an allocation is max-min fair iff it is feasible and every
    # flow is either at its demand or crosses a saturated resource on which its rate is the
    # largest. Tolerances: 1e-6 Mbit/s.
    a, cap, dem = net
    rate = max_min_fair(a, cap, dem)
    tol = 1e-6 * max(1.0, cap.max(initial=0), dem.max(initial=0))
    dense = a.toarray()
    load = dense.T @ rate
    assert np.all(rate >= -tol) and np.all(rate <= dem + tol)
    assert np.all(load <= cap + tol)
    saturated = load >= cap - tol
    for f in range(len(rate)):
        if rate[f] >= dem[f] - tol:
            continue
        crossing = np.flatnonzero(dense[f] > 0)
        assert any(
            saturated[r] and rate[f] >= rate[dense[:, r] > 0].max() - tol for r in crossing
        ), (f, rate, cap, dem, dense)


def test_cells_and_beams():
    # Azovstal and Mariupol (6 km apart, references.md#sites) share a 25 km cell; Kyiv does not.
    cell = cell_index([47.098, 47.0958, 50.45], [37.610, 37.5494, 30.5233], 25.0)
    assert cell[0] == cell[1] != cell[2]
    # Satellite 7 serves three cells with 2 beams: each of its beams is on 2/3 of the time;
    # satellite 9 serves one cell.
    beam, share = beam_sharing([7, 7, 7, 7, 9], [1, 1, 2, 3, 1], beams_per_sat=2)
    assert beam[0] == beam[1] and len(share) == 4
    np.testing.assert_allclose(share[beam], [2 / 3, 2 / 3, 2 / 3, 2 / 3, 1.0])


def test_longitude_wraps():
    # −180° and +180° are the same meridian, so the same cell.
    c = cell_index([0.0, 0.0], [-180.0, 180.0], 25.0)
    assert c[0] == c[1]
