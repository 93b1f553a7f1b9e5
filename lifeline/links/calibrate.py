"""Calibrating what is not public to what was measured: the cell load and the uplink G/T.

Two inputs of the radio layer have no public value: how much of a beam's time the other
subscribers of a cell use (the cell load) and the satellite's Ku receive G/T. Both are set so
that one standard-actuated kit (the 2022 kit, :mod:`lifeline.kits`) at a reference
geometry gets the measured median throughput of Starlink users in Europe in 2021–22
(references.md#measured-throughput):

- the cell load n, the other subscribers active at once in the beam: a kit alone in its beam
  gets the beam's capacity C (the link budget and the MODCOD table); sharing it fairly with n
  others leaves C / (1 + n), so n = C / measured download − 1;
- the uplink G/T: the lowest G/T at which the kit's uplink MODCOD, in the same loaded cell,
  carries at least the measured upload.

The reference geometry is a satellite of the 550 km shell (references.md#constellation-shells)
at :data:`REFERENCE_ELEVATION_DEG`, clear sky (the median gas and cloud attenuation at Ku is
~0.2 dB, under one MODCOD step). :data:`lifeline.constants.DEFAULT_CELL_LOAD` and
:data:`lifeline.constants.SAT_UPLINK_G_OVER_T_DB_K` hold the results; a test re-runs the
calibration so they cannot drift from it.
"""

from __future__ import annotations

import numpy as np

from lifeline import constants as c
from lifeline.kits import DEFAULT_KIT, get_kit
from lifeline.links import budget as b
from lifeline.links.modcod import ModcodTable, capacity_mbps, select_modcod
from lifeline.links.uplink import uplink_esn0_db

__all__ = [
    "EUROPE_DOWNLOAD_MEDIANS_MBPS",
    "EUROPE_UPLOAD_MEDIANS_MBPS",
    "REFERENCE_ALTITUDE_KM",
    "REFERENCE_ELEVATION_DEG",
    "cell_load",
    "reference_downlink_capacity_mbps",
    "uplink_g_over_t_db_k",
]

#: Elevation of the reference geometry [deg]: the median elevation of the serving satellite over
#: the European validation terminals of May 2022 with the default (lowest-RTT) serving policy
#: (56.7°, benchmarks/validation/throughput-europe-2022.toml, whose loaded-cell p50 is what
#: this calibration is checked against), rounded down. Where lifeline serves from lower
#: satellites the same load gives less.
REFERENCE_ELEVATION_DEG = 56.0

#: Altitude of the reference satellite [km]: the 550 km shell (references.md#constellation-shells).
REFERENCE_ALTITUDE_KM = 550.0

#: Ookla median downloads of Starlink users in European countries [Mbit/s]: Q4 2021 (AT, BE, FR,
#: IE, IT, NL, UK, DE) and Q2 2022 (PT, NL, AT, FR, BE, IT) (references.md#measured-throughput).
EUROPE_DOWNLOAD_MEDIANS_MBPS = (
    131.84, 155.15, 121.21, 123.51, 124.39, 138.40, 121.94, 115.58,
    123.01, 122.43, 112.01, 110.98, 110.40, 97.0,
)  # fmt: skip

#: Ookla median uploads in Europe [Mbit/s]: DE Q4 2021, PT and IT Q2 2022
#: (references.md#measured-throughput).
EUROPE_UPLOAD_MEDIANS_MBPS = (15.17, 28.52, 18.0)


def _reference_geometry(elevation_deg: float, altitude_km: float) -> tuple[float, float]:
    """Slant range [km] and the satellite's scan loss [dB] toward a terminal at the equator's
    WGS84 radius (the site radius the engine's budgets use within 0.3 %)."""
    range_km = float(b.slant_range_km(elevation_deg, altitude_km))
    scan = float(b.scan_loss_db(b.off_nadir_deg(elevation_deg, c.WGS84_A_KM + altitude_km)))
    return range_km, scan


def reference_downlink_capacity_mbps(
    table: ModcodTable,
    kit: str = DEFAULT_KIT,
    elevation_deg: float = REFERENCE_ELEVATION_DEG,
    altitude_km: float = REFERENCE_ALTITUDE_KM,
) -> float:
    """Capacity [Mbit/s] of one kit alone in its beam at the reference geometry, clear sky, with
    the radio layer's default budget (:mod:`lifeline.links.budget`)."""
    range_km, scan = _reference_geometry(elevation_deg, altitude_km)
    gain = b.aperture_gain_dbi(
        get_kit(kit).receive_aperture_m, c.USER_DOWNLINK_FREQ_GHZ, c.TERMINAL_APERTURE_EFFICIENCY
    )
    esn0 = b.downlink_esn0_db(
        c.SAT_EIRP_DENSITY_DBW_PER_MHZ,
        c.USER_CHANNEL_BANDWIDTH_MHZ,
        scan,
        range_km,
        0.0,
        b.g_over_t_db_k(gain, c.TERMINAL_SYSTEM_TEMPERATURE_K),
    )
    modcod = select_modcod(table, esn0, c.LINK_MARGIN_DB)
    return float(capacity_mbps(table, modcod, c.USER_CHANNEL_BANDWIDTH_MHZ))


def cell_load(measured_download_mbps: float, capacity_alone_mbps: float) -> float:
    """Other subscribers n active in the beam: C / (1 + n) = measured, so n = C / measured − 1."""
    return capacity_alone_mbps / measured_download_mbps - 1.0


def uplink_g_over_t_db_k(
    table: ModcodTable,
    measured_upload_mbps: float,
    load: float,
    kit: str = DEFAULT_KIT,
    elevation_deg: float = REFERENCE_ELEVATION_DEG,
    altitude_km: float = REFERENCE_ALTITUDE_KM,
) -> float:
    """Lowest satellite G/T [dB/K, rounded up to 0.1 dB] at which the kit's uplink, sharing its
    beam with ``load`` other users, carries at least ``measured_upload_mbps`` at the reference
    geometry."""
    range_km, scan = _reference_geometry(elevation_deg, altitude_km)
    at_0 = float(uplink_esn0_db(get_kit(kit).eirp_dbw, scan, range_km, 0.0, 0.0))
    rate = capacity_mbps(table, np.arange(len(table)), c.USER_UPLINK_CHANNEL_MHZ) / (1.0 + load)
    enough = np.flatnonzero(rate >= measured_upload_mbps)
    # The least demanding MODCOD that carries enough; its threshold plus the margin is the Es/N0
    # the uplink needs.
    k = enough[np.argmin(table.es_n0_db[enough])]
    need = table.es_n0_db[k] + c.LINK_MARGIN_DB - at_0
    return float(np.ceil(need * 10.0 - 1e-9) / 10.0)
