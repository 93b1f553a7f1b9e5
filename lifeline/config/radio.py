"""``[radio]``, ``[[rain]]``, ``[[jammers]]`` and terminal demand, as scenario models.

The models only, with the defaults a scenario starts from; what the run computes from them
(attenuation tables, SINR, MODCOD, throughput) is :mod:`lifeline.radio`.

Uplink jamming (``target = "uplink"``) is not supported: it needs the satellites' Ku receive
gain and G/T, which are not published in a citable source (references.md#satellite-capacity).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import PlainValidator, StrictBool, model_validator

from lifeline.config.events import TimeWindow
from lifeline.config.fields import (
    Latitude,
    Longitude,
    Model,
    NonNegativeFloat,
    PositiveFloat,
    fail,
    number,
)
from lifeline.constants import (
    C_KM_S,
    IMPLEMENTATION_LOSS_DB,
    LINK_MARGIN_DB,
    MAX_RAIN_RATE_MM_H,
    ROLL_OFF,
    SAT_EIRP_DENSITY_DBW_PER_MHZ,
    SCAN_LOSS_EXPONENT,
    TERMINAL_APERTURE_EFFICIENCY,
    TERMINAL_APERTURE_M,
    TERMINAL_SYSTEM_TEMPERATURE_K,
    USER_CHANNEL_BANDWIDTH_MHZ,
    USER_DOWNLINK_FREQ_GHZ,
)

__all__ = [
    "BEAMS_PER_SATELLITE",
    "CELL_SIZE_KM",
    "DEFAULT_MBPS_PER_USER",
    "DEFAULT_USERS",
    "EXCEEDANCE_PERCENT",
    "FEEDER_CAPACITY_MBPS",
    "ISL_CAPACITY_MBPS",
    "JAMMER_TARGETS",
    "Jammer",
    "MbpsPerUser",
    "Radio",
    "Rain",
    "Users",
]

#: Jammer targets the run supports (see the module docstring for ``uplink``).
JAMMER_TARGETS = ("user_downlink",)

#: Users behind a terminal when ``terminals[].users`` is not given: one household or group
#: (assumption, references.md#kits).
DEFAULT_USERS = 1

#: Demand per user [Mbit/s] when ``terminals[].mbps_per_user`` is not given: 25 Mbit/s, the
#: FCC's fixed-broadband download benchmark (FCC 15-10, 2015 Broadband Progress Report, §45;
#: references.md#kits).
DEFAULT_MBPS_PER_USER = 25.0

#: Beams a satellite forms at once. Estimate, no sourced beam count (references.md#user-beams):
#: a V1.5 satellite's ≈24 Gbit/s downlink over Puchol's ~700 Mbit/s per 240 MHz channel
#: (references.md#satellite-capacity) is ≈34 channels; with one channel per beam, 32 beams.
BEAMS_PER_SATELLITE = 32

#: Cell size [km] of the beam grid. Estimate: Starlink's cell grid is not public; its
#: availability map draws hexagonal cells of roughly 16 km across (no citable source), so a
#: 16 km square cell is the stand-in (references.md#user-beams).
CELL_SIZE_KM = 16.0

#: Exceedance probability [%] of the gas, cloud and scintillation terms: 50 %, the median
#: atmosphere (rain comes from ``[[rain]]`` events only, so a clear sky is the reference;
#: assumption, references.md#itu-r-models).
EXCEEDANCE_PERCENT = 50.0

#: Feeder-link capacity per (gateway, satellite) [Mbit/s]: 25.6 Gbit/s, Puchol reading the
#: filings; estimate (references.md#satellite-capacity).
FEEDER_CAPACITY_MBPS = 25_600.0

#: Laser-link capacity [Mbit/s]: up to 100 Gbit/s (references.md#isl-range; a 2023 value, so
#: optimistic for May 2022).
ISL_CAPACITY_MBPS = 100_000.0

Users = Annotated[int, number(0, integer=True)]
MbpsPerUser = PositiveFloat
Count = Annotated[int, number(1, integer=True)]


class Radio(Model):
    """``[radio]``: the user downlink (Ku) and the capacities traffic shares.

    Every default names its source (docs/references.md; :mod:`lifeline.constants`) or is
    labelled an estimate. ``enabled = false`` leaves the radio columns empty (every connected
    terminal gets its demand; no radio outage).

    Attributes
    ----------
    downlink_freq_ghz : carrier [GHz], 11.7 (middle of 10.7–12.7 GHz, references.md#rf-bands).
    channel_bandwidth_mhz : 240 MHz (Humphreys et al. 2023, references.md#downlink-waveform).
    channels_per_beam : channels a beam carries at once, 1 (estimate).
    beams_per_satellite : 32 (estimate, :data:`BEAMS_PER_SATELLITE`).
    cell_size_km : 16 (estimate, :data:`CELL_SIZE_KM`).
    roll_off : 0.1 (references.md#del-portillo-budget).
    sat_eirp_density_dbw_per_mhz : 6.33 (estimate from del Portillo's budget,
        references.md#del-portillo-budget; :data:`lifeline.constants.SAT_EIRP_DENSITY_DBW_PER_MHZ`).
    scan_loss_exponent : 1 (Mailloux 2005, projected aperture).
    terminal_aperture_m : 0.48 (filing). terminal_efficiency : 0.6 (estimate).
        terminal_system_temperature_k : 362.9 (estimate). All three:
        references.md#terminal-antenna.
    implementation_loss_db, margin_db : 1 dB each (pylink convention,
    references.md#implementation-margin).
    exceedance_percent : p of the gas, cloud and scintillation terms, 50 % (median).
    antenna_pattern : terminal off-axis pattern toward jammers, "S.465" or "S.580".
    feeder_capacity_mbps : 25,600 (references.md#satellite-capacity). isl_capacity_mbps :
        100,000 (references.md#isl-range).
    """

    enabled: StrictBool = True
    downlink_freq_ghz: Annotated[float, number(10.7, 12.7)] = USER_DOWNLINK_FREQ_GHZ
    channel_bandwidth_mhz: PositiveFloat = USER_CHANNEL_BANDWIDTH_MHZ
    channels_per_beam: Count = 1
    beams_per_satellite: Count = BEAMS_PER_SATELLITE
    cell_size_km: PositiveFloat = CELL_SIZE_KM
    roll_off: Annotated[float, number(0, 1)] = ROLL_OFF
    sat_eirp_density_dbw_per_mhz: Annotated[float, number(-100, 100)] = (
        SAT_EIRP_DENSITY_DBW_PER_MHZ
    )
    scan_loss_exponent: NonNegativeFloat = SCAN_LOSS_EXPONENT
    terminal_aperture_m: PositiveFloat = TERMINAL_APERTURE_M
    terminal_efficiency: Annotated[float, number(0, 1, lo_open=True)] = (
        TERMINAL_APERTURE_EFFICIENCY
    )
    terminal_system_temperature_k: PositiveFloat = TERMINAL_SYSTEM_TEMPERATURE_K
    implementation_loss_db: NonNegativeFloat = IMPLEMENTATION_LOSS_DB
    margin_db: NonNegativeFloat = LINK_MARGIN_DB
    exceedance_percent: Annotated[float, number(0.01, 50)] = EXCEEDANCE_PERCENT
    antenna_pattern: Literal["S.465", "S.580"] = "S.465"
    feeder_capacity_mbps: PositiveFloat = FEEDER_CAPACITY_MBPS
    isl_capacity_mbps: PositiveFloat = ISL_CAPACITY_MBPS

    @model_validator(mode="after")
    def _check(self) -> Radio:
        # D/λ with λ = c / f (ITU-R S.580-6 applies to antennas with D/λ >= 50).
        wavelength_m = C_KM_S * 1e3 / (self.downlink_freq_ghz * 1e9)
        d_lambda = self.terminal_aperture_m / wavelength_m
        if self.antenna_pattern == "S.580" and d_lambda < 50:
            raise fail(
                f"'S.465' (S.580 needs D/λ >= 50; here D/λ = {d_lambda:.1f})",
                loc=("antenna_pattern",),
                value=self.antenna_pattern,
            )
        return self


class Rain(TimeWindow):
    """``[[rain]]``: rain falling at ``rate_mm_h`` within ``radius_km`` of a point, in a window.

    ``rate_mm_h`` is in (0, 250] mm/h (the attenuation table's grid, ITU-R P.618-13 with the
    event's rate; :mod:`lifeline.links.atmosphere`). Where events overlap the heaviest rain
    counts.
    """

    name: str = ""
    lat_deg: Latitude
    lon_deg: Longitude
    radius_km: PositiveFloat
    rate_mm_h: Annotated[float, number(0, MAX_RAIN_RATE_MM_H, lo_open=True)]


def _target(value: Any) -> str:
    if value == "uplink":
        raise fail(
            '"user_downlink" (uplink jamming needs the satellites\' Ku receive gain and G/T, '
            "which are not public, references.md#jamming)"
        )
    if value not in JAMMER_TARGETS:
        raise fail('"user_downlink"')
    return value


class Jammer(Model):
    """``[[jammers]]``: a ground transmitter aimed at the terminals' Ku downlink.

    Attributes
    ----------
    name : str
    lat_deg, lon_deg : where it stands [deg]; alt_m : its antenna above the ground [m] (sets
        its radio horizon, ITU-R P.834 k = 4/3; beyond it the jammer is not heard).
    eirp_dbw : EIRP toward the terminals [dBW], spread flat over ``bandwidth_mhz`` [MHz]
        centred on the victim channel.
    target : "user_downlink" (uplink jamming is not supported, see the module docstring).
    extra_loss_db : terrain, clutter, polarisation loss on the ground path [dB], >= 0.
    windows : when it transmits (none: the whole run).
    """

    name: str = ""
    lat_deg: Latitude
    lon_deg: Longitude
    alt_m: Annotated[float, number(0, 1000)] = 10.0
    eirp_dbw: Annotated[float, number(-50, 100)]
    bandwidth_mhz: PositiveFloat
    target: Annotated[str, PlainValidator(_target)] = "user_downlink"
    extra_loss_db: NonNegativeFloat = 0.0
    windows: tuple[TimeWindow, ...] = ()
