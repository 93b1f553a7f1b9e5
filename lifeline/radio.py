"""The radio layer of a run: ``[radio]``, ``[[rain]]``, ``[[jammers]]`` and terminal demand.

This module glues the pure link functions (:mod:`lifeline.links.budget`, ``atmosphere``,
``modcod``, ``capacity``, ``jamming``) to the engine's per-step arrays:

- the scenario's ``[radio]``, ``[[rain]]`` and ``[[jammers]]`` (models in
  :mod:`lifeline.config.radio`);
- :func:`prepare_radio`, run once in the parent process before the time loop: the ITU-R
  attenuation tables (the only place ``itur`` is used), the MODCOD table, the terminals' peak
  gain and cells, the jammers' positions and windows, the rain events' windows;
- :func:`radio_columns`, pure: from the engine's (steps, terminals) geometry and the resources on
  each terminal's path to SINR, MODCOD, capacity and max-min fair throughput.

The user downlink chain, per step and terminal (each function cites its source):

1. off-nadir angle at the satellite, and its scan loss (phased array, cos^n);
2. attenuation (gas, cloud, scintillation at ``exceedance_percent``, plus any rain event over
   the terminal) from the per-terminal table, and the sky noise it adds;
3. C = EIRP − scan − FSPL − attenuation − implementation loss + G; N = k T B;
4. every active jammer within radio horizon: I = EIRP_j − FSPL − extra + G_terminal(off-axis);
5. SINR = C / (N + Σ I); MODCOD with a margin; below the lowest MODCOD the terminal is out with
   reason ``low_sinr`` (down even without jammers) or ``jammed``;
6. capacity = channel bandwidth × channels per beam × spectral efficiency; throughput is
   max-min fair over the beam (terminals of one cell on one satellite share it; a satellite with
   more busy cells than beams hops them), the feeder link and every laser link of the path,
   capped at the terminal's demand (users × Mbit/s per user).

Uplink jamming (``target = "uplink"``) is not supported (see :mod:`lifeline.config.radio`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lifeline.config.radio import Jammer, Radio, Rain
from lifeline.geo import geodetic_to_ecef_km, great_circle_km, look_angles
from lifeline.links import budget as b
from lifeline.links.atmosphere import RAIN_RATE_GRID_MM_H, AttenuationTable, attenuation_table
from lifeline.links.capacity import beam_sharing, cell_index, incidence_matrix, max_min_fair
from lifeline.links.jamming import active, interference_dbw
from lifeline.links.jamming import radio_horizon_km as _radio_horizon_km
from lifeline.links.modcod import ModcodTable, capacity_mbps, load_modcod_table, select_modcod
from lifeline.reasons import REASON_JAMMED, REASON_LOW_SINR

__all__ = [
    "OUTAGE_REASONS",
    "RadioColumns",
    "RadioPrep",
    "prepare_radio",
    "radio_columns",
]

#: Outage codes of :func:`radio_columns` (0: up) → reason strings for the ``reason`` column.
OUTAGE_REASONS = ("", REASON_LOW_SINR, REASON_JAMMED)

#: Height of a terminal above the ground [m] for the jammer's radio horizon. Estimate: a dish on
#: a roof, a vehicle or a tripod, ~2 m (assumption, references.md#jamming).
TERMINAL_HEIGHT_M = 2.0


# ----------------------------------------------------------------------------------------------
# Prepared once per run
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RadioPrep:
    """What the radio layer needs in the time loop, built once by :func:`prepare_radio`.

    Arrays over terminals are (N,), over rain events (E,), over jammers (J,), over jammer
    windows (W,). Plain arrays and frozen dataclasses: it pickles to worker processes.
    """

    config: Radio
    table: AttenuationTable
    modcods: ModcodTable
    peak_gain_dbi: float
    cell: NDArray[np.int64]
    demand_mbps: NDArray[np.float64]
    rain_lat_deg: NDArray[np.float64]
    rain_lon_deg: NDArray[np.float64]
    rain_radius_km: NDArray[np.float64]
    rain_rate_mm_h: NDArray[np.float64]
    rain_start_s: NDArray[np.float64]
    rain_end_s: NDArray[np.float64]
    jammer_ecef_km: NDArray[np.float64]
    jammer_eirp_dbw: NDArray[np.float64]
    jammer_bandwidth_mhz: NDArray[np.float64]
    jammer_extra_loss_db: NDArray[np.float64]
    jammer_horizon_km: NDArray[np.float64]
    window_start_s: NDArray[np.float64]
    window_end_s: NDArray[np.float64]
    window_jammer: NDArray[np.intp]


def prepare_radio(
    config: Radio,
    rain: tuple[Rain, ...],
    jammers: tuple[Jammer, ...],
    terminal_lat_deg: ArrayLike,
    terminal_lon_deg: ArrayLike,
    demand_mbps: ArrayLike,
    start_utc: datetime,
    duration_s: float,
    table: AttenuationTable | None = None,
) -> RadioPrep:
    """Build the radio layer's fixed inputs (calls ``itur``: run it once, in the parent).

    Parameters
    ----------
    config, rain, jammers : the scenario's ``[radio]``, ``[[rain]]`` and ``[[jammers]]``.
    terminal_lat_deg, terminal_lon_deg : (N,) terminals [deg] (moving ones: where they start;
        their climate statistics and cell stay those of the start).
    demand_mbps : (N,) users × Mbit/s per user.
    start_utc, duration_s : the run's window, for the events' windows.
    table : the terminals' attenuation table (None: computed here with ``itur``, from ``config``).
    """
    lat = np.asarray(terminal_lat_deg, dtype=float)
    lon = np.asarray(terminal_lon_deg, dtype=float)
    if table is None:
        # Rain rates are those of the events (each event's rate is constant), so the table is
        # exact at every rate the run asks for and costs one itur pass per distinct rate
        # (P.618 over 86 elevations × 1,000 sites is ~0.2 s a rate). Without events the
        # second grid point only completes the grid: no terminal ever sees rain.
        rates = np.unique([0.0, *(r.rate_mm_h for r in rain)])
        table = attenuation_table(
            lat,
            lon,
            config.downlink_freq_ghz,
            config.exceedance_percent,
            config.terminal_aperture_m,
            config.terminal_efficiency,
            rain_rate_grid_mm_h=rates if len(rates) > 1 else RAIN_RATE_GRID_MM_H[:2],
        )
    rain_windows = [r.window_s(start_utc, duration_s) for r in rain]
    rain_windows = np.array(rain_windows, dtype=float).reshape(-1, 2)
    windows = [
        (j, *(w.window_s(start_utc, duration_s) if w else (0.0, duration_s)))
        for j, jam in enumerate(jammers)
        for w in (jam.windows or (None,))
    ]
    win = np.array(windows, dtype=float).reshape(-1, 3)

    def col(items, key):
        return np.array([getattr(x, key) for x in items], dtype=float)

    return RadioPrep(
        config=config,
        table=table,
        modcods=load_modcod_table(),
        peak_gain_dbi=float(
            b.aperture_gain_dbi(
                config.terminal_aperture_m, config.downlink_freq_ghz, config.terminal_efficiency
            )
        ),
        cell=cell_index(lat, lon, config.cell_size_km),
        demand_mbps=np.asarray(demand_mbps, dtype=float),
        rain_lat_deg=col(rain, "lat_deg"),
        rain_lon_deg=col(rain, "lon_deg"),
        rain_radius_km=col(rain, "radius_km"),
        rain_rate_mm_h=col(rain, "rate_mm_h"),
        rain_start_s=rain_windows[:, 0],
        rain_end_s=rain_windows[:, 1],
        jammer_ecef_km=geodetic_to_ecef_km(
            col(jammers, "lat_deg"), col(jammers, "lon_deg"), col(jammers, "alt_m")
        ).reshape(-1, 3),
        jammer_eirp_dbw=col(jammers, "eirp_dbw"),
        jammer_bandwidth_mhz=col(jammers, "bandwidth_mhz"),
        jammer_extra_loss_db=col(jammers, "extra_loss_db"),
        jammer_horizon_km=_radio_horizon_km(col(jammers, "alt_m"), TERMINAL_HEIGHT_M),
        window_start_s=win[:, 1],
        window_end_s=win[:, 2],
        window_jammer=win[:, 0].astype(np.intp),
    )


# ----------------------------------------------------------------------------------------------
# Per chunk of steps
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RadioColumns:
    """Radio results, arrays (n, N) over steps × terminals.

    ``sinr_db`` is NaN where the terminal has no serving satellite; ``modcod`` indexes
    ``RadioPrep.modcods`` (−1: none closes or not connected); ``capacity_mbps`` is the rate the
    terminal would get alone in its beam, ``throughput_mbps`` what it gets (0 when down);
    ``outage`` codes into :data:`OUTAGE_REASONS` (0: no radio outage).
    """

    sinr_db: NDArray[np.float64]
    modcod: NDArray[np.intp]
    capacity_mbps: NDArray[np.float64]
    throughput_mbps: NDArray[np.float64]
    outage: NDArray[np.int8]


def rain_rate_mm_h(
    prep: RadioPrep, t_s: ArrayLike, site_lat_deg: ArrayLike, site_lon_deg: ArrayLike
) -> NDArray[np.float64]:
    """(n, N) rain rate over each terminal [mm/h]: the heaviest active ``[[rain]]`` covering it.

    ``site_lat_deg``/``site_lon_deg`` broadcast to (n, N) (fixed terminals: (1, N)).
    """
    t = np.asarray(t_s, dtype=float)
    lat = np.asarray(site_lat_deg, dtype=float)
    lon = np.asarray(site_lon_deg, dtype=float)
    shape = np.broadcast_shapes((len(t), 1), lat.shape)
    if not len(prep.rain_rate_mm_h):
        return np.zeros(shape)
    dist = great_circle_km(lat[..., None], lon[..., None], prep.rain_lat_deg, prep.rain_lon_deg)
    covers = dist <= prep.rain_radius_km  # (n|1, N, E)
    on = (t[:, None] >= prep.rain_start_s) & (t[:, None] < prep.rain_end_s)  # (n, E)
    return np.max(np.where(covers & on[:, None, :], prep.rain_rate_mm_h, 0.0), axis=-1)


def jammer_interference_dbw(
    prep: RadioPrep,
    t_s: ArrayLike,
    elevation_deg: ArrayLike,
    azimuth_deg: ArrayLike,
    site_lat_deg: ArrayLike,
    site_lon_deg: ArrayLike,
    site_ecef_km: ArrayLike,
) -> NDArray[np.float64]:
    """(n, N, J) interference [dBW] of each jammer in each terminal's channel (−inf: none).

    Ground path: free space (ITU-R P.525) plus ``extra_loss_db``, nothing beyond the radio
    horizon; seen through the terminal's off-axis gain toward the jammer (ITU-R S.465/S.580)
    while it points at its satellite (``elevation_deg``, ``azimuth_deg``, (n, N)).
    """
    cfg = prep.config
    el = np.asarray(elevation_deg, dtype=float)
    n_jam = len(prep.jammer_eirp_dbw)
    if not n_jam:
        return np.zeros((*el.shape, 0))
    lat = np.asarray(site_lat_deg, dtype=float)[..., None]
    lon = np.asarray(site_lon_deg, dtype=float)[..., None]
    ecef = np.asarray(site_ecef_km, dtype=float)[..., None, :]
    j_el, j_az, j_km = look_angles(lat, lon, ecef, prep.jammer_ecef_km)  # (n|1, N, J)
    off_axis = b.angle_between_deg(el[..., None], np.asarray(azimuth_deg)[..., None], j_el, j_az)
    gain = b.off_axis_gain_dbi(
        off_axis,
        prep.peak_gain_dbi,
        cfg.terminal_aperture_m,
        cfg.downlink_freq_ghz,
        cfg.antenna_pattern,
    )
    i_dbw = interference_dbw(
        prep.jammer_eirp_dbw,
        prep.jammer_bandwidth_mhz,
        cfg.channel_bandwidth_mhz,
        j_km,
        cfg.downlink_freq_ghz,
        gain,
        prep.jammer_extra_loss_db,
    )
    on = active(t_s, prep.window_start_s, prep.window_end_s, prep.window_jammer, n_jam)
    heard = on[:, None, :] & (j_km <= prep.jammer_horizon_km)
    return np.where(heard, i_dbw, -np.inf)


def downlink_sinr_db(
    prep: RadioPrep,
    elevation_deg: ArrayLike,
    range_km: ArrayLike,
    site_radius_km: ArrayLike,
    rain_mm_h: ArrayLike,
    interference_dbw: ArrayLike,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """SINR [dB] of each terminal's user downlink with and without the jammers.

    Parameters
    ----------
    elevation_deg, range_km : (n, N) serving satellite seen from the terminal [deg, km].
    site_radius_km : terminal distance from the Earth's centre [km], broadcasting.
    rain_mm_h : (n, N) rain rate over the terminal [mm/h].
    interference_dbw : (n, N, J) jammer power in the channel [dBW] (−inf: none).

    Returns
    -------
    (sinr_db, sinr_clear_db), both (n, N); NaN where the elevation is NaN.

    Notes
    -----
    The satellite's distance from the Earth's centre follows from the look angles (law of
    cosines: r² = r_site² + d² + 2 r_site d sin(el)), giving its off-nadir angle. Below 5° of
    elevation (the ITU-R tables' lower limit) the attenuation at 5° is used.
    """
    cfg = prep.config
    el = np.asarray(elevation_deg, dtype=float)
    d = np.asarray(range_km, dtype=float)
    r_site = np.asarray(site_radius_km, dtype=float)
    r_sat = np.sqrt(r_site**2 + d**2 + 2.0 * r_site * d * np.sin(np.radians(el)))
    scan = b.scan_loss_db(b.off_nadir_deg(el, r_sat, r_site), cfg.scan_loss_exponent)
    site = np.arange(el.shape[-1])
    el_table = np.clip(el, prep.table.elevation_deg[0], prep.table.elevation_deg[-1])
    atten = prep.table.attenuation_db(site, el_table, rain_mm_h)
    t_sys = cfg.terminal_system_temperature_k + b.sky_noise_temperature_k(atten)
    bw = cfg.channel_bandwidth_mhz
    eirp = cfg.sat_eirp_density_dbw_per_mhz + 10.0 * np.log10(bw)
    cn = b.carrier_to_noise_db(
        eirp - scan,
        b.fspl_db(d, cfg.downlink_freq_ghz),
        b.g_over_t_db_k(prep.peak_gain_dbi, t_sys),
        bw,
        atten + cfg.implementation_loss_db,
    )
    noise = b.noise_power_dbw(t_sys, bw)
    i = np.asarray(interference_dbw, dtype=float)
    return b.sinr_db(cn + noise, noise, *np.moveaxis(i, -1, 0)), cn


def radio_columns(
    prep: RadioPrep,
    t_s: ArrayLike,
    connected: ArrayLike,
    satellite: ArrayLike,
    elevation_deg: ArrayLike,
    azimuth_deg: ArrayLike,
    range_km: ArrayLike,
    site_lat_deg: ArrayLike,
    site_lon_deg: ArrayLike,
    site_ecef_km: ArrayLike,
    path: ArrayLike,
    path_link_key: ArrayLike,
    path_link_capacity_mbps: ArrayLike,
    decision_step: ArrayLike | None = None,
) -> RadioColumns:
    """SINR, MODCOD, capacity and max-min fair throughput of a block of steps.

    Parameters
    ----------
    t_s : (n,) instants [s after the scenario start].
    connected : (n, N) bool, the terminal has a path (before radio).
    satellite : (n, N) serving satellite (−1 none).
    elevation_deg, azimuth_deg, range_km : (n, N) serving satellite's look angles [deg, km].
    site_lat_deg, site_lon_deg, site_ecef_km : terminals (n|1, N) [deg] and (n|1, N, 3) [km].
    path : (n, N) int, row of ``path_link_key`` the terminal's traffic follows (−1: none).
    path_link_key : (P, H) int, the shared links (feeder, lasers) of each path: an integer
        naming each link (equal keys at one step are one link), −1 padding.
    path_link_capacity_mbps : (P, H) their capacities [Mbit/s].
    decision_step : (n,) bool, steps where the scheduler shares capacity out anew (the 15 s
        slots); None: every step. Steps where a terminal gains or loses service or changes
        path are decision steps too.

    Returns
    -------
    :class:`RadioColumns`.

    Notes
    -----
    At each decision step the rates are max-min fair (Bertsekas & Gallager, Data Networks, 2nd
    ed., 1992, §6.5.2; :func:`lifeline.links.capacity.max_min_fair`) over the beams and the path
    links, capped at demand; all decision steps of the block go into one computation (a flow is
    a (step, terminal), a resource a (step, beam) or (step, link), so steps share nothing).
    Until the next decision a terminal keeps its share of its beam's time, with the beam's idle
    time shared in proportion: it gets x · min(1, c(t) / (c(t0) · u)), where x is its granted
    rate, c its rate alone in the beam and u the beam's busy share at the decision; so its
    rate falls with its MODCOD only as far as the beam has no idle time left.
    """
    cfg = prep.config
    t = np.asarray(t_s, dtype=float)
    conn = np.asarray(connected, dtype=bool)
    sat = np.asarray(satellite, dtype=np.int64)
    el = np.where(conn, np.asarray(elevation_deg, dtype=float), np.nan)
    az = np.asarray(azimuth_deg, dtype=float)
    ecef = np.asarray(site_ecef_km, dtype=float)
    rain = rain_rate_mm_h(prep, t, site_lat_deg, site_lon_deg)
    jam = jammer_interference_dbw(prep, t, el, az, site_lat_deg, site_lon_deg, ecef)
    sinr, sinr_clear = downlink_sinr_db(
        prep, el, range_km, np.linalg.norm(ecef, axis=-1), rain, jam
    )
    modcod = np.where(conn, select_modcod(prep.modcods, sinr, cfg.margin_db), -1)
    clear_ok = select_modcod(prep.modcods, sinr_clear, cfg.margin_db) >= 0
    outage = np.where(conn & ~clear_ok, 1, np.where(conn & (modcod < 0), 2, 0)).astype(np.int8)
    capacity = capacity_mbps(
        prep.modcods, modcod, cfg.channel_bandwidth_mhz * cfg.channels_per_beam, cfg.roll_off
    )
    up = modcod >= 0
    route = np.where(up, np.asarray(path, dtype=np.int64), -1)
    decide = np.ones(len(t), bool) if decision_step is None else np.array(decision_step, bool)
    decide[0] = True
    decide[1:] |= np.any(route[1:] != route[:-1], axis=1)
    throughput = np.zeros(conn.shape)
    if up.any():
        steps = np.flatnonzero(decide)
        rate = np.zeros((len(steps), conn.shape[1]))
        busy = np.ones(rate.shape)
        granted = up[steps]
        rate[granted], busy[granted] = _share(
            prep,
            granted,
            sat[steps],
            capacity[steps],
            route[steps],
            np.asarray(path_link_key, dtype=np.int64),
            np.asarray(path_link_capacity_mbps, dtype=float),
        )
        # Each step follows the last decision: same terminals up on the same paths.
        last = np.cumsum(decide) - 1
        c0 = capacity[steps][last]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(up, np.minimum(1.0, capacity / (c0 * busy[last])), 0.0)
        throughput = rate[last] * ratio
    return RadioColumns(sinr, modcod.astype(np.intp), capacity, throughput, outage)


def _share(prep, up, sat, capacity, route, path_link_key, path_link_capacity_mbps):
    """Max-min fair rates of the (step, terminal) flows ``up`` over beams and path links, and
    the busy share of each flow's beam (time used / time the beam has)."""
    step, term = np.nonzero(up)
    n_flows = len(step)
    # Beams: one per (step, satellite, cell); the satellite key is per step.
    sat_key = step * (int(sat.max()) + 1) + sat[step, term]
    beam, share = beam_sharing(sat_key, prep.cell[term], prep.config.beams_per_satellite)
    n_beams = len(share)
    # Links: one resource per (step, key) over the flows' paths.
    keys = path_link_key[route[step, term]]  # (F, H)
    flow, col = np.nonzero(keys >= 0)
    key = keys[flow, col]
    pair = step[flow] * (int(key.max()) + 1 if len(key) else 1) + key
    unique, first, res = np.unique(pair, return_index=True, return_inverse=True)
    link_cap = path_link_capacity_mbps[route[step, term]][flow, col][first]
    a = incidence_matrix(
        n_flows,
        np.r_[np.arange(n_flows), flow],
        np.r_[beam, n_beams + res.reshape(-1)],
        n_beams + len(unique),
        np.r_[1.0 / capacity[step, term], np.ones(len(flow))],
    )
    rate = max_min_fair(a, np.r_[share, link_cap], prep.demand_mbps[term])
    used = np.bincount(beam, weights=rate / capacity[step, term], minlength=n_beams)
    return rate, np.minimum(1.0, used / share)[beam]
