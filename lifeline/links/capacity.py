"""Sharing capacity: beams and cells, and max-min fair rates over every bottleneck.

A terminal's traffic crosses several shared resources: the user beam serving its cell, the
gateway feeder link of its path and each laser link on the way. Each resource r bounds a
weighted sum of the rates crossing it, Σ_f a_fr x_f ≤ c_r; for a feeder or an ISL a_fr = 1 and
c_r is its capacity [Mbit/s]; for a beam a_fr = 1 / (the rate terminal f would get with the whole
beam) and c_r is the beam's time share (≤ 1), so terminals with a poorer MODCOD use more of the
beam per Mbit/s. Each terminal also asks for at most its demand.

:func:`max_min_fair` gives the max-min fair rates: the allocation progressive filling reaches
(raise every unfrozen rate together; freeze a rate when its demand is met or a resource it
crosses fills). It runs in rounds over the sparse (terminal × resource) incidence matrix: in each
round every resource whose fair share is the smallest bound of all its terminals is filled at
once, together with every terminal whose demand is below all its shares. Shares only grow as
other terminals freeze below them, so each such freeze is final; the rounds number the depth of
the bottleneck chain, not the number of bottleneck levels.

References
----------
D. Bertsekas, R. Gallager, Data Networks, 2nd ed., Prentice Hall 1992, §6.5.2 (max-min fairness
and the progressive filling algorithm).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from lifeline.constants import EARTH_MEAN_RADIUS_KM

#: Relative tolerance when comparing shares (floating-point ties).
_REL_TOL = 1e-9


def _segment_min(values: NDArray, indptr: NDArray) -> NDArray:
    """Minimum of ``values`` over each CSR/CSC segment; +inf for empty segments."""
    n = len(indptr) - 1
    out = np.full(n, np.inf)
    nonempty = indptr[1:] > indptr[:-1]
    if values.size:
        out[nonempty] = np.minimum.reduceat(values, indptr[:-1][nonempty])
    return out


def max_min_fair(
    incidence: sp.spmatrix | sp.sparray,
    capacity: ArrayLike,
    demand: ArrayLike,
) -> NDArray[np.float64]:
    """Max-min fair rates of F flows over R shared resources, each capped at its demand.

    Parameters
    ----------
    incidence : sparse (F, R), entries a_fr > 0 where flow f crosses resource r (weights: see
        the module docstring; 1 for plain links).
    capacity : (R,) c_r ≥ 0 (units of a_fr × rate).
    demand : (F,) ≥ 0, the most each flow wants (inf: as much as it can get).

    Returns
    -------
    (F,) rates in the units of ``demand``. A flow crossing no resource gets its demand; a flow
    with an infinite demand crossing no resource gets inf.

    References
    ----------
    Bertsekas & Gallager, Data Networks, 2nd ed., 1992, §6.5.2.
    """
    a_csr = sp.csr_array(incidence, dtype=float)
    a_csr.sum_duplicates()
    a_csc = sp.csc_array(a_csr)
    cap = np.asarray(capacity, dtype=float)
    dem = np.asarray(demand, dtype=float)
    n_flows, n_res = a_csr.shape
    rate = np.zeros(n_flows)
    active = dem > 0
    residual = cap.copy()
    dem_tol = _REL_TOL * np.maximum(1.0, np.where(np.isfinite(dem), dem, 0.0))
    row_of_nz = a_csc.indices  # flow of each CSC non-zero
    col_of_nz = a_csr.indices  # resource of each CSR non-zero
    while active.any():
        load = a_csc.T @ active.astype(float)  # (R,) Σ a_fr over active flows
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(load > 0, np.maximum(residual, 0.0) / load, np.inf)
        bound = np.minimum(dem, _segment_min(share[col_of_nz], a_csr.indptr))  # (F,)
        bound = np.where(active, bound, np.inf)
        lowest = _segment_min(bound[row_of_nz], a_csc.indptr)  # (R,) smallest bound of its flows
        tol = _REL_TOL * np.maximum(1.0, np.abs(share))
        filled = (load > 0) & (share <= lowest + tol)
        freeze = active & (
            (bound >= dem - dem_tol) | (_segment_max_bool(filled[col_of_nz], a_csr.indptr))
        )
        rate[freeze] = bound[freeze]
        active &= ~freeze
        residual = cap - a_csc.T @ np.where(active, 0.0, rate)
    return rate


def _segment_max_bool(values: NDArray[np.bool_], indptr: NDArray) -> NDArray[np.bool_]:
    """Logical OR of ``values`` over each segment; False for empty segments."""
    counts = np.add.reduceat(np.r_[values.astype(np.int64), 0], indptr[:-1]) if values.size else 0
    nonempty = indptr[1:] > indptr[:-1]
    return np.where(nonempty, counts, 0) > 0


def cell_index(lat_deg: ArrayLike, lon_deg: ArrayLike, cell_size_km: float) -> NDArray[np.int64]:
    """Cell id of each site on an approximately equal-area grid of ``cell_size_km`` squares.

    Rows are bands of latitude ``cell_size_km`` wide; each row is cut into cells of
    ``cell_size_km`` of longitude at the row's central latitude (a sinusoidal-projection
    grid). Terminals with the same id are in the same cell and share its beam. Starlink's own
    cell grid is not public; this is the stand-in.

    References
    ----------
    J. P. Snyder, Map Projections — A Working Manual, USGS PP 1395, 1987, §30 (sinusoidal).
    """
    lat = np.asarray(lat_deg, dtype=float)
    lon = np.asarray(lon_deg, dtype=float)
    km_per_deg = np.pi * EARTH_MEAN_RADIUS_KM / 180.0
    row = np.floor((lat + 90.0) * km_per_deg / cell_size_km).astype(np.int64)
    row_lat = np.radians((row + 0.5) * cell_size_km / km_per_deg - 90.0)
    cells_in_row = np.maximum(
        1, np.floor(360.0 * km_per_deg * np.cos(row_lat) / cell_size_km)
    ).astype(np.int64)
    col = np.floor(((lon + 180.0) % 360.0) / 360.0 * cells_in_row).astype(np.int64)
    return row * 1_000_000 + np.minimum(col, cells_in_row - 1)


def beam_sharing(
    serving_sat: ArrayLike, cell: ArrayLike, beams_per_sat: int
) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
    """Beams from terminal assignments: one beam per (satellite, cell) in use.

    A satellite with more busy cells than beams hops its beams among them, so each of its beams
    is on for ``beams_per_sat / cells`` of the time (1 when it has enough beams).

    Parameters
    ----------
    serving_sat : (M,) satellite of each served terminal (≥ 0).
    cell : (M,) cell id of each terminal (:func:`cell_index`).
    beams_per_sat : beams a satellite can form at once.

    Returns
    -------
    beam : (M,) beam index of each terminal, 0..B−1.
    time_share : (B,) fraction of time each beam is on, in (0, 1].
    """
    sat = np.asarray(serving_sat, dtype=np.int64)
    cells = np.asarray(cell, dtype=np.int64)
    # One integer per (satellite, cell), ordered as the pairs are: a 1-D unique is many times
    # faster than np.unique(axis=0). Cell ids stay below 2^31 (cell_index: < 1.3e9).
    unique, beam = np.unique((sat << 31) | cells, return_inverse=True)
    _, sat_of_beam, cells_per_sat = np.unique(unique >> 31, return_inverse=True, return_counts=True)
    share = np.minimum(1.0, beams_per_sat / cells_per_sat[sat_of_beam].astype(float))
    return beam.reshape(-1).astype(np.intp), share


def background_users(
    unix_s: ArrayLike, lon_deg: ArrayLike, load: float | ArrayLike
) -> NDArray[np.float64]:
    """Other subscribers active at once in the beam over a terminal's cell, by local hour.

    They share the beam max-min fair with the run's terminals (the engine adds them as one
    flow of weight n per beam, so each of them gets what one of the run's terminals gets).

    Parameters
    ----------
    unix_s : instants [s since 1970-01-01 UTC], broadcasting against ``lon_deg``.
    lon_deg : the terminal's longitude [deg, east positive].
    load : users n ≥ 0 for every hour, or 24 values by local mean solar time (hour 0 is
        00:00–01:00 at the terminal's longitude; an evening peak is a profile with higher values
        around 19–23 h).

    Returns
    -------
    n, shaped like ``unix_s`` broadcast with ``lon_deg``.
    """
    profile = np.asarray(load, dtype=float)
    t = np.asarray(unix_s, dtype=float)
    lon = np.asarray(lon_deg, dtype=float)
    if profile.ndim == 0:
        return np.broadcast_to(profile, np.broadcast_shapes(t.shape, lon.shape)).copy()
    # Local mean solar time: UTC hour + longitude / 15°.
    hour = np.floor((t / 3600.0 + lon / 15.0) % 24.0).astype(np.intp)
    return profile[np.minimum(hour, len(profile) - 1)]


def share_with_background(capacity_mbps: ArrayLike, kits: ArrayLike, background: ArrayLike):
    """What ``kits`` terminals together get [Mbit/s] from one beam of ``capacity_mbps`` shared
    fairly with ``background`` other users: k / (k + n) × C (all at the beam's rate; max-min
    fairness, Bertsekas & Gallager §6.5.2)."""
    k = np.asarray(kits, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(k > 0, k / (k + np.asarray(background, dtype=float)), 0.0)
    return np.asarray(capacity_mbps, dtype=float) * share


def incidence_matrix(
    n_flows: int, flow: ArrayLike, resource: ArrayLike, n_resources: int, weight: ArrayLike = 1.0
) -> sp.csr_array:
    """Sparse (flow × resource) incidence from (flow, resource[, weight]) triples.

    The engine stacks the blocks: beams [0, B), feeders [B, B+G), ISLs [B+G, B+G+E), with
    weight 1 / capacity_mbps for beams (time units) and 1 for links (Mbit/s).
    """
    f = np.asarray(flow, dtype=np.int64)
    r = np.asarray(resource, dtype=np.int64)
    w = np.broadcast_to(np.asarray(weight, dtype=float), f.shape)
    return sp.csr_array((w, (f, r)), shape=(n_flows, n_resources))
