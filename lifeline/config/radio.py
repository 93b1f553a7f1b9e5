"""``[radio]``, ``[[rain]]``, ``[[jammers]]`` and terminal demand, as scenario models.

The models only, with the defaults a scenario starts from; what the run computes from them
(attenuation tables, SINR, MODCOD, throughput) is :mod:`lifeline.radio`.

Uplink jamming (``target = "uplink"``) needs the satellites' Ku receive G/T, which is not
published (references.md#satellite-capacity): lifeline's default is calibrated to measured
uploads, not a physical figure, so an uplink jammer is accepted only when the scenario sets
``[radio] sat_uplink_g_over_t_db_k`` itself (checked by the scenario).
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
    DEFAULT_CELL_LOAD,
    IMPLEMENTATION_LOSS_DB,
    LINK_MARGIN_DB,
    MAX_RAIN_RATE_MM_H,
    ROLL_OFF,
    SAT_BEAMWIDTH_DEG,
    SAT_EIRP_DENSITY_DBW_PER_MHZ,
    SCAN_LOSS_EXPONENT,
    TERMINAL_APERTURE_EFFICIENCY,
    TERMINAL_APERTURE_M,
    TERMINAL_SYSTEM_TEMPERATURE_K,
    USER_CHANNEL_BANDWIDTH_MHZ,
    USER_DOWNLINK_FREQ_GHZ,
    USER_UPLINK_CHANNEL_MHZ,
    USER_UPLINK_FREQ_GHZ,
)

__all__ = [
    "BEAMS_PER_SATELLITE",
    "CELL_SIZE_KM",
    "DEFAULT_MBPS_DOWN_PER_USER",
    "DEFAULT_MBPS_UP_PER_USER",
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

#: Jammer targets (see the module docstring for ``uplink``).
JAMMER_TARGETS = ("user_downlink", "uplink")

#: Users behind a terminal when ``terminals[].users`` is not given: one household or group
#: (assumption, references.md#kits).
DEFAULT_USERS = 1

#: Demand per user [Mbit/s] when ``terminals[].mbps_down_per_user`` / ``mbps_up_per_user`` are
#: not given: 100 down / 20 up, the FCC's fixed-broadband benchmark since 2024 (FCC 24-27, 2024
#: Section 706 Report; references.md#kits), a figure field teams know as "broadband".
DEFAULT_MBPS_DOWN_PER_USER = 100.0
DEFAULT_MBPS_UP_PER_USER = 20.0

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


def _cell_load(value: Any) -> float | tuple[float, ...]:
    if isinstance(value, list | tuple):
        if len(value) != 24:
            raise fail("a number >= 0, or a list of 24 numbers >= 0 (one per local hour, 0-23)")
        return tuple(_load_value(v) for v in value)
    return _load_value(value)


def _load_value(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        raise fail("a number >= 0, or a list of 24 numbers >= 0 (one per local hour, 0-23)")
    if not float(value) < float("inf"):
        raise fail("a finite number >= 0, or a list of 24 of them")
    return float(value)


Users = Annotated[int, number(0, integer=True)]
MbpsPerUser = PositiveFloat
Count = Annotated[int, number(1, integer=True)]


class Radio(Model):
    """``[radio]``: the user link (Ku) both ways, the cells' load and the capacities traffic shares.

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
    terminal_aperture_m : None: each terminal's kit (:mod:`lifeline.kits`); a value here
        overrides every kit's [m]. terminal_efficiency : 0.6 (estimate).
        terminal_system_temperature_k : 362.9 (estimate). Both: references.md#terminal-antenna.
    implementation_loss_db, margin_db : 1 dB each (pylink convention,
    references.md#implementation-margin).
    exceedance_percent : p of the gas, cloud and scintillation terms, 50 % (median).
    antenna_pattern : terminal off-axis pattern toward jammers, "S.465" or "S.580".
    feeder_capacity_mbps : 25,600 (references.md#satellite-capacity). isl_capacity_mbps :
        100,000 (references.md#isl-range).
    cell_load : other subscribers active at once in a cell's beam: one number, or 24 by local
        mean solar hour (an evening peak); default 4.89, calibrated to European Ookla medians
        (:data:`lifeline.constants.DEFAULT_CELL_LOAD`, references.md#cell-load).
    uplink_freq_ghz : 14.25 (middle of 14.0–14.5 GHz, references.md#rf-bands).
    uplink_channel_mhz : 62.5 (references.md#uplink-channels).
    sat_uplink_g_over_t_db_k : the satellites' Ku receive G/T [dB/K]. None: the calibrated
        :data:`lifeline.constants.SAT_UPLINK_G_OVER_T_DB_K` (an effective figure, not public);
        a value here is the scenario's own figure and allows uplink jammers.
    sat_beamwidth_deg : half-power width of a satellite's receive beam, for an uplink jammer's
        roll-off, 2.0 (assumption, :data:`lifeline.constants.SAT_BEAMWIDTH_DEG`).
    """

    enabled: StrictBool = True
    downlink_freq_ghz: Annotated[float, number(10.7, 12.7)] = USER_DOWNLINK_FREQ_GHZ
    channel_bandwidth_mhz: PositiveFloat = USER_CHANNEL_BANDWIDTH_MHZ
    channels_per_beam: Count = 1
    beams_per_satellite: Count = BEAMS_PER_SATELLITE
    cell_size_km: PositiveFloat = CELL_SIZE_KM
    roll_off: Annotated[float, number(0, 1)] = ROLL_OFF
    sat_eirp_density_dbw_per_mhz: Annotated[float, number(-100, 100)] = SAT_EIRP_DENSITY_DBW_PER_MHZ
    scan_loss_exponent: NonNegativeFloat = SCAN_LOSS_EXPONENT
    terminal_aperture_m: PositiveFloat | None = None
    terminal_efficiency: Annotated[float, number(0, 1, lo_open=True)] = TERMINAL_APERTURE_EFFICIENCY
    terminal_system_temperature_k: PositiveFloat = TERMINAL_SYSTEM_TEMPERATURE_K
    implementation_loss_db: NonNegativeFloat = IMPLEMENTATION_LOSS_DB
    margin_db: NonNegativeFloat = LINK_MARGIN_DB
    exceedance_percent: Annotated[float, number(0.01, 50)] = EXCEEDANCE_PERCENT
    antenna_pattern: Literal["S.465", "S.580"] = "S.465"
    feeder_capacity_mbps: PositiveFloat = FEEDER_CAPACITY_MBPS
    isl_capacity_mbps: PositiveFloat = ISL_CAPACITY_MBPS
    cell_load: Annotated[float | tuple[float, ...], PlainValidator(_cell_load)] = DEFAULT_CELL_LOAD
    uplink_freq_ghz: Annotated[float, number(14.0, 14.5)] = USER_UPLINK_FREQ_GHZ
    uplink_channel_mhz: PositiveFloat = USER_UPLINK_CHANNEL_MHZ
    sat_uplink_g_over_t_db_k: Annotated[float, number(-100, 100)] | None = None
    sat_beamwidth_deg: Annotated[float, number(0, 90, lo_open=True)] = SAT_BEAMWIDTH_DEG

    @model_validator(mode="after")
    def _check(self) -> Radio:
        # D/λ with λ = c / f (ITU-R S.580-6 applies to antennas with D/λ >= 50).
        wavelength_m = C_KM_S * 1e3 / (self.downlink_freq_ghz * 1e9)
        d_lambda = (self.terminal_aperture_m or TERMINAL_APERTURE_M) / wavelength_m
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
    if value not in JAMMER_TARGETS:
        raise fail('"user_downlink" or "uplink"')
    return value


class Jammer(Model):
    """``[[jammers]]``: a ground transmitter aimed at the terminals' Ku downlink or at the
    satellites' uplink beams.

    Attributes
    ----------
    name : str
    lat_deg, lon_deg : where it stands [deg]; alt_m : its antenna above the ground [m] (with
        the terminal's 2 m it sets the smooth-Earth diffraction over the radio horizon, ITU-R
        P.526 with k = 4/3: past the horizon the jammer fades, ~2 dB/km at Ku).
    eirp_dbw : EIRP toward the terminals [dBW], spread flat over ``bandwidth_mhz`` [MHz]
        centred on the victim channel.
    target : "user_downlink" (the terminals' receivers) or "uplink" (the serving satellites'
        receive beams; needs ``[radio] sat_uplink_g_over_t_db_k``, see the module docstring).
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
