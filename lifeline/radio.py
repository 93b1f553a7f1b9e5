"""The radio layer of a run: both directions of the user link, shared cells, rain and jammers.

This module glues the pure link functions (:mod:`lifeline.links.budget`, ``uplink``,
``atmosphere``, ``modcod``, ``capacity``, ``jamming``) and each terminal's kit
(:mod:`lifeline.kits`) to the engine's per-step arrays:

- the scenario's ``[radio]``, ``[[rain]]`` and ``[[jammers]]`` (models in
  :mod:`lifeline.config.radio`);
- :func:`prepare_radio`, run once per run before the time loop: the ITU-R attenuation tables at
  the downlink and uplink carriers (the only place ``itur`` is used), the MODCOD table, each
  terminal's kit (gain, aperture, EIRP) and cell, the jammers' positions and windows, the rain
  events' windows; the result pickles to the worker processes;
- :func:`radio_columns`, pure: from the engine's (steps, terminals) geometry and the resources on
  each terminal's path to SINR, MODCOD, capacity and max-min fair throughput, down and up.

Per step and terminal (each function cites its source):

1. off-nadir angle at the satellite, and its scan loss (phased array, cos^n);
2. attenuation (gas, cloud, scintillation at ``exceedance_percent``, plus any rain event over
   the terminal) at each carrier, and the sky noise it adds to the terminal's receiver;
3. downlink Es/N0 over the symbol rate: EIRP density × channel − scan − FSPL − attenuation −
   implementation loss + the kit's G/T; uplink Es/N0: the kit's EIRP − scan − FSPL −
   attenuation − implementation loss + the satellite's G/T (calibrated, see
   :mod:`lifeline.links.uplink`);
4. jammers: a ``user_downlink`` jammer reaches the terminal over the ground (free space plus
   ITU-R P.526 smooth-Earth diffraction, so it fades through the radio horizon) and enters
   through the kit's off-axis gain; an ``uplink`` jammer reaches the serving satellite and
   enters its beam below the peak by the scan loss and the beam's roll-off toward it;
5. SINR and MODCOD per direction with a margin; a terminal whose downlink or uplink closes at
   no MODCOD is out with reason ``low_sinr`` (down even without jammers) or ``jammed``;
6. capacity (a kit alone in its beam) = channel × channels per beam × spectral efficiency;
   throughput is max-min fair over the beam, shared with the cell's other subscribers
   (``[radio] cell_load``), the feeder link and every laser link of the path (downlink), or
   the uplink beam (uplink), capped at the terminal's demand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lifeline.config.radio import Jammer, Radio, Rain
from lifeline.constants import SAT_UPLINK_G_OVER_T_DB_K, TERMINAL_APERTURE_M
from lifeline.geo import enu_basis, geodetic_to_ecef_km, great_circle_km, look_angles
from lifeline.kits import Kit
from lifeline.links import budget as b
from lifeline.links.atmosphere import RAIN_RATE_GRID_MM_H, AttenuationTable, attenuation_table
from lifeline.links.capacity import (
    background_users,
    beam_sharing,
    cell_index,
    incidence_matrix,
    max_min_fair,
)
from lifeline.links.jamming import (
    active,
    interference_dbw,
    smooth_earth_diffraction_db,
    uplink_interference_to_noise_db,
)
from lifeline.links.modcod import ModcodTable, capacity_mbps, load_modcod_table, select_modcod
from lifeline.links.uplink import uplink_esn0_db
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

#: Height of a terminal above the ground [m] for a ground jammer's path. Estimate: a dish on a
#: roof, a vehicle or a tripod, ~2 m (assumption, references.md#jamming).
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
    table_up: AttenuationTable
    modcods: ModcodTable
    peak_gain_dbi: NDArray[np.float64]
    aperture_m: NDArray[np.float64]
    eirp_up_dbw: NDArray[np.float64]
    sat_g_over_t_db_k: float
    cell: NDArray[np.int64]
    lon_deg: NDArray[np.float64]
    start_unix_s: float
    cell_load: NDArray[np.float64]
    demand_down_mbps: NDArray[np.float64]
    demand_up_mbps: NDArray[np.float64]
    rain_lat_deg: NDArray[np.float64]
    rain_lon_deg: NDArray[np.float64]
    rain_radius_km: NDArray[np.float64]
    rain_rate_mm_h: NDArray[np.float64]
    rain_start_s: NDArray[np.float64]
    rain_end_s: NDArray[np.float64]
    jammer_ecef_km: NDArray[np.float64]
    jammer_lat_deg: NDArray[np.float64]
    jammer_lon_deg: NDArray[np.float64]
    jammer_alt_m: NDArray[np.float64]
    jammer_eirp_dbw: NDArray[np.float64]
    jammer_bandwidth_mhz: NDArray[np.float64]
    jammer_extra_loss_db: NDArray[np.float64]
    jammer_uplink: NDArray[np.bool_]
    window_start_s: NDArray[np.float64]
    window_end_s: NDArray[np.float64]
    window_jammer: NDArray[np.intp]


def prepare_radio(
    config: Radio,
    rain: tuple[Rain, ...],
    jammers: tuple[Jammer, ...],
    terminal_lat_deg: ArrayLike,
    terminal_lon_deg: ArrayLike,
    kits: list[Kit],
    demand_down_mbps: ArrayLike,
    demand_up_mbps: ArrayLike,
    start_utc: datetime,
    duration_s: float,
    table: AttenuationTable | None = None,
    table_up: AttenuationTable | None = None,
) -> RadioPrep:
    """Build the radio layer's fixed inputs (calls ``itur``: run it once per run).

    Parameters
    ----------
    config, rain, jammers : the scenario's ``[radio]``, ``[[rain]]`` and ``[[jammers]]``.
    terminal_lat_deg, terminal_lon_deg : (N,) terminals [deg] (moving ones: where they start;
        their climate statistics, cell and local hour stay those of the start).
    kits : (N,) each terminal's kit.
    demand_down_mbps, demand_up_mbps : (N,) users × Mbit/s per user, capped at the kit's limits.
    start_utc, duration_s : the run's window, for the events' windows and the local hour.
    table, table_up : the terminals' attenuation tables at the downlink and uplink carriers
        (None: computed here with ``itur``).
    """
    lat = np.asarray(terminal_lat_deg, dtype=float)
    lon = np.asarray(terminal_lon_deg, dtype=float)
    aperture = np.array(
        [k.receive_aperture_m if config.terminal_aperture_m is None else config.terminal_aperture_m
         for k in kits], dtype=float,
    ).reshape(-1)  # fmt: skip
    # Scintillation (P.618 §2.4.1) needs one receive antenna per table: the median aperture of
    # the run's kits (its effect at the median atmosphere is a few hundredths of a dB).
    table_aperture_m = float(np.median(aperture)) if len(aperture) else TERMINAL_APERTURE_M
    # Rain rates are those of the events (each event's rate is constant), so the table is
    # exact at every rate the run asks for and costs one itur pass per distinct rate
    # (P.618 over 86 elevations × 1,000 sites is ~0.2 s a rate). Without events the
    # second grid point only completes the grid: no terminal ever sees rain.
    rates = np.unique([0.0, *(r.rate_mm_h for r in rain)])
    grid = rates if len(rates) > 1 else RAIN_RATE_GRID_MM_H[:2]

    def tabulate(freq_ghz: float) -> AttenuationTable:
        return attenuation_table(
            lat, lon, freq_ghz, config.exceedance_percent, table_aperture_m,
            config.terminal_efficiency, rain_rate_grid_mm_h=grid,
        )  # fmt: skip

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

    g_t = config.sat_uplink_g_over_t_db_k
    return RadioPrep(
        config=config,
        table=tabulate(config.downlink_freq_ghz) if table is None else table,
        table_up=tabulate(config.uplink_freq_ghz) if table_up is None else table_up,
        modcods=load_modcod_table(),
        peak_gain_dbi=b.aperture_gain_dbi(
            aperture, config.downlink_freq_ghz, config.terminal_efficiency
        ),
        aperture_m=aperture,
        eirp_up_dbw=np.array([k.eirp_dbw for k in kits], dtype=float).reshape(-1),
        sat_g_over_t_db_k=SAT_UPLINK_G_OVER_T_DB_K if g_t is None else float(g_t),
        cell=cell_index(lat, lon, config.cell_size_km),
        lon_deg=lon,
        start_unix_s=start_utc.timestamp(),
        cell_load=np.asarray(config.cell_load, dtype=float),
        demand_down_mbps=np.asarray(demand_down_mbps, dtype=float),
        demand_up_mbps=np.asarray(demand_up_mbps, dtype=float),
        rain_lat_deg=col(rain, "lat_deg"),
        rain_lon_deg=col(rain, "lon_deg"),
        rain_radius_km=col(rain, "radius_km"),
        rain_rate_mm_h=col(rain, "rate_mm_h"),
        rain_start_s=rain_windows[:, 0],
        rain_end_s=rain_windows[:, 1],
        jammer_ecef_km=geodetic_to_ecef_km(
            col(jammers, "lat_deg"), col(jammers, "lon_deg"), col(jammers, "alt_m")
        ).reshape(-1, 3),
        jammer_lat_deg=col(jammers, "lat_deg"),
        jammer_lon_deg=col(jammers, "lon_deg"),
        jammer_alt_m=col(jammers, "alt_m"),
        jammer_eirp_dbw=col(jammers, "eirp_dbw"),
        jammer_bandwidth_mhz=col(jammers, "bandwidth_mhz"),
        jammer_extra_loss_db=col(jammers, "extra_loss_db"),
        jammer_uplink=np.array([j.target == "uplink" for j in jammers], dtype=bool),
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

    ``sinr_db`` (downlink) is NaN where the terminal has no serving satellite; ``modcod``
    indexes ``RadioPrep.modcods`` (downlink; −1: none closes or not connected);
    ``capacity_*_mbps`` is the rate the terminal would get alone in its beam (no other
    subscriber), ``throughput_*_mbps`` what it gets (0 when down); ``outage`` codes into
    :data:`OUTAGE_REASONS` (0: no radio outage).
    """

    sinr_db: NDArray[np.float64]
    modcod: NDArray[np.intp]
    capacity_down_mbps: NDArray[np.float64]
    capacity_up_mbps: NDArray[np.float64]
    throughput_down_mbps: NDArray[np.float64]
    throughput_up_mbps: NDArray[np.float64]
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


def _jammers_on(prep: RadioPrep, t_s: ArrayLike) -> NDArray[np.bool_]:
    n_jam = len(prep.jammer_eirp_dbw)
    return active(t_s, prep.window_start_s, prep.window_end_s, prep.window_jammer, n_jam)


def jammer_interference_dbw(
    prep: RadioPrep,
    t_s: ArrayLike,
    elevation_deg: ArrayLike,
    azimuth_deg: ArrayLike,
    site_lat_deg: ArrayLike,
    site_lon_deg: ArrayLike,
    site_ecef_km: ArrayLike,
) -> NDArray[np.float64]:
    """(n, N, J) interference [dBW] of each downlink jammer in each terminal's channel (−inf:
    none; uplink jammers are −inf here).

    Ground path: free space (ITU-R P.525), smooth-Earth diffraction (ITU-R P.526-15 §3.2,
    :func:`lifeline.links.jamming.smooth_earth_diffraction_db`: the jammer fades through the
    radio horizon) and ``extra_loss_db``; seen through the kit's off-axis gain toward the jammer
    (ITU-R S.465/S.580) while it points at its satellite (``elevation_deg``, ``azimuth_deg``).
    """
    cfg = prep.config
    el = np.asarray(elevation_deg, dtype=float)
    n_jam = len(prep.jammer_eirp_dbw)
    if not n_jam or prep.jammer_uplink.all():
        return np.full((*el.shape, n_jam), -np.inf)
    lat = np.asarray(site_lat_deg, dtype=float)[..., None]
    lon = np.asarray(site_lon_deg, dtype=float)[..., None]
    ecef = np.asarray(site_ecef_km, dtype=float)[..., None, :]
    j_el, j_az, j_km = look_angles(lat, lon, ecef, prep.jammer_ecef_km)  # (n|1, N, J)
    off_axis = b.angle_between_deg(el[..., None], np.asarray(azimuth_deg)[..., None], j_el, j_az)
    gain = b.off_axis_gain_dbi(
        off_axis,
        prep.peak_gain_dbi[:, None],
        prep.aperture_m[:, None],
        cfg.downlink_freq_ghz,
        cfg.antenna_pattern,
    )
    ground_km = great_circle_km(lat, lon, prep.jammer_lat_deg, prep.jammer_lon_deg)
    diffraction = smooth_earth_diffraction_db(
        np.maximum(ground_km, 1e-3), prep.jammer_alt_m, TERMINAL_HEIGHT_M, cfg.downlink_freq_ghz
    )
    i_dbw = interference_dbw(
        prep.jammer_eirp_dbw,
        prep.jammer_bandwidth_mhz,
        cfg.channel_bandwidth_mhz,
        j_km,
        cfg.downlink_freq_ghz,
        gain,
        prep.jammer_extra_loss_db + diffraction,
    )
    heard = _jammers_on(prep, t_s)[:, None, :] & ~prep.jammer_uplink
    return np.where(heard, i_dbw, -np.inf)


def uplink_jammer_i_over_n_db(
    prep: RadioPrep,
    t_s: ArrayLike,
    elevation_deg: ArrayLike,
    azimuth_deg: ArrayLike,
    range_km: ArrayLike,
    site_lat_deg: ArrayLike,
    site_lon_deg: ArrayLike,
    site_ecef_km: ArrayLike,
) -> NDArray[np.float64]:
    """(n, N, J) I/N [dB] of each uplink jammer in the serving satellite's receive beam (−inf:
    none; downlink jammers are −inf here).

    The satellite is placed from the terminal's look angles; the jammer must see it above its
    horizon. Its signal enters the beam aimed at the terminal below the peak by the array's scan
    loss toward the jammer and the beam's roll-off 12 (θ / θ3dB)² at the angle θ between
    terminal and jammer seen from the satellite (``[radio] sat_beamwidth_deg``), against the
    satellite's G/T (:func:`lifeline.links.jamming.uplink_interference_to_noise_db`).
    """
    cfg = prep.config
    el = np.asarray(elevation_deg, dtype=float)
    n_jam = len(prep.jammer_eirp_dbw)
    if not n_jam or not prep.jammer_uplink.any():
        return np.full((*el.shape, n_jam), -np.inf)
    az = np.radians(np.asarray(azimuth_deg, dtype=float))
    e = np.radians(el)
    enu = np.stack([np.sin(az) * np.cos(e), np.cos(az) * np.cos(e), np.sin(e)], axis=-1)
    basis = enu_basis(site_lat_deg, site_lon_deg)  # (n|1, N, 3, 3), rows E, N, U
    site = np.asarray(site_ecef_km, dtype=float)
    sat = site + np.asarray(range_km, dtype=float)[..., None] * np.einsum(
        "...i,...ij->...j", enu, basis
    )
    to_site = site - sat  # (n, N, 3)
    to_jam = prep.jammer_ecef_km - sat[..., None, :]  # (n, N, J, 3)
    jam_km = np.linalg.norm(to_jam, axis=-1)

    def angle_deg(u, v):
        cos = np.sum(u * v, axis=-1) / (np.linalg.norm(u, axis=-1) * np.linalg.norm(v, axis=-1))
        return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))

    offset = angle_deg(to_site[..., None, :], to_jam)
    nadir = angle_deg(-sat[..., None, :], to_jam)
    below_peak = b.scan_loss_db(nadir, cfg.scan_loss_exponent) + b.beam_rolloff_db(
        offset, cfg.sat_beamwidth_deg
    )
    j_el, _, _ = look_angles(
        prep.jammer_lat_deg, prep.jammer_lon_deg, prep.jammer_ecef_km, sat[..., None, :]
    )
    i_n = uplink_interference_to_noise_db(
        prep.jammer_eirp_dbw,
        prep.jammer_bandwidth_mhz,
        cfg.uplink_channel_mhz,
        b.symbol_rate_mbaud(cfg.uplink_channel_mhz, cfg.roll_off),
        jam_km,
        cfg.uplink_freq_ghz,
        prep.sat_g_over_t_db_k,
        below_peak,
    )
    heard = _jammers_on(prep, t_s)[:, None, :] & prep.jammer_uplink & (j_el > 0.0)
    return np.where(heard & np.isfinite(i_n), i_n, -np.inf)


def link_esn0_db(
    prep: RadioPrep,
    elevation_deg: ArrayLike,
    range_km: ArrayLike,
    site_radius_km: ArrayLike,
    rain_mm_h: ArrayLike,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Clear of jammers: downlink Es/N0, the terminal's noise power in the symbol rate, and
    uplink Es/N0 [dB, dBW, dB], each (n, N); NaN where the elevation is NaN.

    Notes
    -----
    The satellite's distance from the Earth's centre follows from the look angles (law of
    cosines: r² = r_site² + d² + 2 r_site d sin(el)), giving its off-nadir angle and the scan
    loss of its array in both directions. Below 5° of elevation (the ITU-R tables' lower limit)
    the attenuation at 5° is used. Es/N0 is over the symbol rate, channel / (1 + roll-off)
    (:func:`lifeline.links.budget.symbol_rate_mbaud`).
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
    down = b.downlink_esn0_db(
        cfg.sat_eirp_density_dbw_per_mhz,
        cfg.channel_bandwidth_mhz,
        scan,
        d,
        atten,
        b.g_over_t_db_k(prep.peak_gain_dbi, t_sys),
        cfg.downlink_freq_ghz,
        cfg.roll_off,
        cfg.implementation_loss_db,
    )
    noise = b.noise_power_dbw(t_sys, b.symbol_rate_mbaud(cfg.channel_bandwidth_mhz, cfg.roll_off))
    up = uplink_esn0_db(
        prep.eirp_up_dbw,
        scan,
        d,
        prep.table_up.attenuation_db(site, el_table, rain_mm_h),
        prep.sat_g_over_t_db_k,
        cfg.uplink_channel_mhz,
        cfg.uplink_freq_ghz,
        cfg.roll_off,
        cfg.implementation_loss_db,
    )
    return down, noise, up


def _with_interference_db(clear_db, interference_to_noise_db):
    """SINR [dB] from Es/N0 and each interferer's I/N [dB] (last axis):
    Es/N0 − 10 log10(1 + Σ I/N)."""
    i_n = np.asarray(interference_to_noise_db, dtype=float)
    if not i_n.shape[-1]:
        return np.asarray(clear_db, dtype=float)
    return clear_db - 10.0 * np.log10(1.0 + np.sum(10.0 ** (i_n / 10.0), axis=-1))


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
    """SINR, MODCOD, capacity and max-min fair throughput, down and up, of a block of steps.

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
        slots); None: every step. A step where a terminal gains or loses service or changes
        path is a decision step for that terminal.

    Returns
    -------
    :class:`RadioColumns`.

    Notes
    -----
    At each decision step the rates are max-min fair (Bertsekas & Gallager, Data Networks, 2nd
    ed., 1992, §6.5.2; :func:`lifeline.links.capacity.max_min_fair`), capped at demand: down
    over the beams, feeders and laser links, up over the uplink beams (a satellite's return
    traffic, at most its beams × one uplink channel, stays under its feeder's capacity, so the
    feeders never bind it). Each beam also carries the cell's other subscribers
    (:func:`lifeline.links.capacity.background_users`), as one flow of weight n that gets what
    one terminal gets. All decision steps of the block and both directions go into one
    computation (steps and directions share no resource). Until the next decision a terminal
    keeps its share of its beam's time, with the beam's idle time shared in proportion: it gets
    x · min(1, c(t) / (c(t0) · u)), where x is its granted rate, c its rate alone in the beam
    and u the beam's busy share at the decision; so its rate follows its MODCOD as far as the
    beam has no idle time left.
    """
    cfg = prep.config
    t = np.asarray(t_s, dtype=float)
    conn = np.asarray(connected, dtype=bool)
    sat = np.asarray(satellite, dtype=np.int64)
    el = np.where(conn, np.asarray(elevation_deg, dtype=float), np.nan)
    az = np.asarray(azimuth_deg, dtype=float)
    ecef = np.asarray(site_ecef_km, dtype=float)
    rain = rain_rate_mm_h(prep, t, site_lat_deg, site_lon_deg)
    down_clear, noise_dbw, up_clear = link_esn0_db(
        prep, el, range_km, np.linalg.norm(ecef, axis=-1), rain
    )
    i_down = jammer_interference_dbw(prep, t, el, az, site_lat_deg, site_lon_deg, ecef)
    sinr = _with_interference_db(down_clear, i_down - noise_dbw[..., None])
    i_up = uplink_jammer_i_over_n_db(prep, t, el, az, range_km, site_lat_deg, site_lon_deg, ecef)
    sinr_up = _with_interference_db(up_clear, i_up)
    table = prep.modcods
    modcod = np.where(conn, select_modcod(table, sinr, cfg.margin_db), -1)
    modcod_up = np.where(conn, select_modcod(table, sinr_up, cfg.margin_db), -1)
    clear_ok = (select_modcod(table, down_clear, cfg.margin_db) >= 0) & (
        select_modcod(table, up_clear, cfg.margin_db) >= 0
    )
    up = (modcod >= 0) & (modcod_up >= 0)
    outage = np.where(conn & ~clear_ok, 1, np.where(conn & ~up, 2, 0)).astype(np.int8)
    modcod = np.where(up, modcod, -1)
    cap_down = capacity_mbps(
        table, modcod, cfg.channel_bandwidth_mhz * cfg.channels_per_beam, cfg.roll_off
    )
    cap_up = capacity_mbps(table, np.where(up, modcod_up, -1), cfg.uplink_channel_mhz, cfg.roll_off)
    route = np.where(up, np.asarray(path, dtype=np.int64), -1)
    slot = np.ones(len(t), bool) if decision_step is None else np.array(decision_step, bool)
    slot[0] = True
    # A terminal takes a new share at each slot start and where its own service or path
    # changes; another terminal's change does not move it (it picks up freed capacity at the
    # next slot start).
    own = np.zeros(conn.shape, bool)
    own[1:] = route[1:] != route[:-1]
    decide_term = slot[:, None] | own
    decide = decide_term.any(axis=1)
    thr_down = np.zeros(conn.shape)
    thr_up = np.zeros(conn.shape)
    if up.any():
        steps = np.flatnonzero(decide)
        rate = np.zeros((2, len(steps), conn.shape[1]))
        busy = np.ones(rate.shape)
        granted = up[steps]
        background = background_users(
            prep.start_unix_s + t[steps][:, None], prep.lon_deg, prep.cell_load
        )
        (rate[0][granted], rate[1][granted]), (busy[0][granted], busy[1][granted]) = _share(
            prep,
            granted,
            sat[steps],
            cap_down[steps],
            cap_up[steps],
            background,
            route[steps],
            np.asarray(path_link_key, dtype=np.int64),
            np.asarray(path_link_capacity_mbps, dtype=float),
        )
        # Each terminal follows its own last decision (same service, same path since).
        n_steps, n_term = conn.shape
        last_step = np.maximum.accumulate(
            np.where(decide_term, np.arange(n_steps)[:, None], 0), axis=0
        )
        last = np.searchsorted(steps, last_step)  # (n, N) row of the decision in `steps`
        term = np.arange(n_term)[None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            for k, (cap, out) in enumerate(((cap_down, thr_down), (cap_up, thr_up))):
                c0 = cap[last_step, term]
                held = busy[k][last, term]
                ratio = np.where(up, np.minimum(1.0, cap / (c0 * held)), 0.0)
                out[...] = rate[k][last, term] * ratio
    return RadioColumns(sinr, modcod.astype(np.intp), cap_down, cap_up, thr_down, thr_up, outage)


def _share(
    prep, up, sat, cap_down, cap_up, background, route, path_link_key, path_link_capacity_mbps
):
    """Max-min fair rates of the (step, terminal) flows ``up``, down and up, and the busy share
    of each flow's beam in each direction (time used / time the beam has).

    One computation over disjoint resources: downlink beams, then uplink beams, then the path
    links; the flows are the terminals down, the terminals up, and one background flow per beam
    and direction (weight n / c̄, c̄ the mean rate of the beam's terminals alone in it: the
    cell's n other subscribers each get what one terminal gets).
    """
    step, term = np.nonzero(up)
    n = len(step)
    # Beams: one per (step, satellite, cell); the satellite key is per step. The uplink beam of
    # a (satellite, cell) has the same time share as its downlink beam.
    sat_key = step * (int(sat.max()) + 1) + sat[step, term]
    beam, share = beam_sharing(sat_key, prep.cell[term], prep.config.beams_per_satellite)
    n_beams = len(share)
    # Links: one resource per (step, key) over the flows' paths (downlink only).
    keys = path_link_key[route[step, term]]  # (F, H)
    flow, col = np.nonzero(keys >= 0)
    key = keys[flow, col]
    pair = step[flow] * (int(key.max()) + 1 if len(key) else 1) + key
    unique, first, res = np.unique(pair, return_index=True, return_inverse=True)
    link_cap = path_link_capacity_mbps[route[step, term]][flow, col][first]
    c_down, c_up = cap_down[step, term], cap_up[step, term]
    # Background flows: per beam, the most others any of its terminals' cells has (one cell
    # per beam) against the beam's mean rate.
    others = np.zeros(n_beams)
    np.maximum.at(others, beam, background[step, term])
    count = np.bincount(beam, minlength=n_beams)
    mean_down = np.bincount(beam, weights=c_down, minlength=n_beams) / count
    mean_up = np.bincount(beam, weights=c_up, minlength=n_beams) / count
    busy_beams = np.flatnonzero(others > 0)
    n_bg = len(busy_beams)
    # Flow index: [0, n) down, [n, 2n) up, [2n, 2n + n_bg) background down, then up.
    flows = np.r_[np.arange(n), n + np.arange(n), np.arange(n)[flow],
                  2 * n + np.arange(n_bg), 2 * n + n_bg + np.arange(n_bg)]  # fmt: skip
    resources = np.r_[beam, n_beams + beam, 2 * n_beams + res.reshape(-1), busy_beams,
                      n_beams + busy_beams]  # fmt: skip
    weights = np.r_[1.0 / c_down, 1.0 / c_up, np.ones(len(flow)),
                    others[busy_beams] / mean_down[busy_beams],
                    others[busy_beams] / mean_up[busy_beams]]  # fmt: skip
    a = incidence_matrix(2 * n + 2 * n_bg, flows, resources, 2 * n_beams + len(unique), weights)
    demand = np.r_[
        prep.demand_down_mbps[term], prep.demand_up_mbps[term], np.full(2 * n_bg, np.inf)
    ]
    rate = max_min_fair(a, np.r_[share, share, link_cap], demand)
    bg_time = np.zeros((2, n_beams))
    bg_time[0, busy_beams] = rate[2 * n : 2 * n + n_bg] * others[busy_beams] / mean_down[busy_beams]
    bg_time[1, busy_beams] = rate[2 * n + n_bg :] * others[busy_beams] / mean_up[busy_beams]
    used_down = np.bincount(beam, weights=rate[:n] / c_down, minlength=n_beams) + bg_time[0]
    used_up = np.bincount(beam, weights=rate[n : 2 * n] / c_up, minlength=n_beams) + bg_time[1]
    return (rate[:n], rate[n : 2 * n]), (
        np.minimum(1.0, used_down / share)[beam],
        np.minimum(1.0, used_up / share)[beam],
    )
