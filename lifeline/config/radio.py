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

from pydantic import Field, PlainValidator, StrictBool, model_validator

from lifeline.config.events import TimeWindow
from lifeline.config.fields import (
    Latitude,
    Longitude,
    Model,
    NonNegativeFloat,
    PositiveFloat,
    allowing,
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

@allowing("a number >= 0, or a list of 24 numbers >= 0 (one per local hour, 0-23)")
def _cell_load(value: Any) -> float | tuple[float, ...]:
    if isinstance(value, list | tuple):
        if len(value) != 24:
            raise fail(_cell_load.allowed)
        return tuple(_load_value(v) for v in value)
    return _load_value(value)


def _load_value(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        raise fail(_cell_load.allowed)
    if not float(value) < float("inf"):
        raise fail("a finite number >= 0, or a list of 24 of them")
    return float(value)


Users = Annotated[int, number(0, integer=True)]
MbpsPerUser = PositiveFloat
Count = Annotated[int, number(1, integer=True)]


class Radio(Model):
    """``[radio]``: the user downlink (Ku) and the capacities traffic shares.

    Every default names its source (docs/references.md; :mod:`lifeline.constants`) or is
    labelled an estimate. ``enabled = false`` leaves the radio columns empty (every connected
    terminal gets its demand; no radio outage).
    """

    enabled: StrictBool = Field(
        True, description="Compute the link budgets, MODCODs and throughput at all."
    )
    downlink_freq_ghz: Annotated[float, number(10.7, 12.7)] = Field(
        USER_DOWNLINK_FREQ_GHZ,
        description="User downlink carrier: the middle of the filed 10.7-12.7 GHz Ku band "
        "(references.md#rf-bands).",
    )
    channel_bandwidth_mhz: PositiveFloat = Field(
        USER_CHANNEL_BANDWIDTH_MHZ,
        description="Width of one downlink channel (references.md#downlink-waveform).",
    )
    channels_per_beam: Count = Field(
        1, description="Channels a beam carries at once (estimate, references.md#user-beams)."
    )
    beams_per_satellite: Count = Field(
        BEAMS_PER_SATELLITE,
        description="Beams a satellite forms at once (estimate, references.md#user-beams).",
    )
    cell_size_km: PositiveFloat = Field(
        CELL_SIZE_KM,
        description="Side of the square cells of the beam grid; terminals in one cell share a "
        "beam (estimate, references.md#user-beams).",
    )
    roll_off: Annotated[float, number(0, 1)] = Field(
        ROLL_OFF,
        description="Roll-off of the channel: symbol rate = bandwidth / (1 + roll_off) "
        "(references.md#del-portillo-budget).",
    )
    sat_eirp_density_dbw_per_mhz: Annotated[float, number(-100, 100)] = Field(
        SAT_EIRP_DENSITY_DBW_PER_MHZ,
        description="Satellite EIRP density at the beam centre (estimate scaled from del "
        "Portillo's budget, references.md#del-portillo-budget).",
    )
    scan_loss_exponent: NonNegativeFloat = Field(
        SCAN_LOSS_EXPONENT,
        description="Exponent n of the terminal's scan loss cos(scan angle)^n: 1, the projected "
        "aperture (Mailloux 2005; references.md#terminal-antenna).",
    )
    terminal_aperture_m: PositiveFloat | None = Field(
        None,
        description="Terminal receive aperture for every terminal (none: each terminal's kit, "
        "lifeline/kits.py; references.md#terminal-antenna).",
    )
    terminal_efficiency: Annotated[float, number(0, 1, lo_open=True)] = Field(
        TERMINAL_APERTURE_EFFICIENCY,
        description="Aperture efficiency of the terminal (estimate, "
        "references.md#terminal-antenna).",
    )
    terminal_system_temperature_k: PositiveFloat = Field(
        TERMINAL_SYSTEM_TEMPERATURE_K,
        description="Terminal system noise temperature (estimate, "
        "references.md#terminal-antenna).",
    )
    implementation_loss_db: NonNegativeFloat = Field(
        IMPLEMENTATION_LOSS_DB,
        description="Modem, pointing and polarisation losses "
        "(references.md#implementation-margin).",
    )
    margin_db: NonNegativeFloat = Field(
        LINK_MARGIN_DB,
        description="Link margin kept when choosing a MODCOD "
        "(references.md#implementation-margin).",
    )
    exceedance_percent: Annotated[float, number(0.01, 50)] = Field(
        EXCEEDANCE_PERCENT,
        description="Exceedance probability p of the gas, cloud and scintillation terms: 50 %, "
        "the median atmosphere; rain comes from [[rain]] only (assumption, "
        "references.md#itu-r-models).",
    )
    antenna_pattern: Literal["S.465", "S.580"] = Field(
        "S.465",
        description="Terminal off-axis gain pattern toward jammers, ITU-R S.465 or S.580 "
        "(S.580 needs D/wavelength >= 50; references.md#jamming).",
    )
    feeder_capacity_mbps: PositiveFloat = Field(
        FEEDER_CAPACITY_MBPS,
        description="Feeder-link capacity per (gateway, satellite) (estimate, "
        "references.md#satellite-capacity).",
    )
    isl_capacity_mbps: PositiveFloat = Field(
        ISL_CAPACITY_MBPS,
        description="Laser-link capacity (a 2023 value, so optimistic for 2022; "
        "references.md#isl-range).",
    )
    cell_load: Annotated[float | tuple[float, ...], PlainValidator(_cell_load)] = Field(
        DEFAULT_CELL_LOAD,
        description="Other subscribers active at once in a cell's beam, sharing it both ways: "
        "one number, or 24 by local mean solar hour (an evening peak); calibrated to European "
        "Ookla medians (references.md#cell-load).",
    )
    uplink_freq_ghz: Annotated[float, number(14.0, 14.5)] = Field(
        USER_UPLINK_FREQ_GHZ,
        description="User uplink carrier: the middle of the filed 14.0-14.5 GHz band "
        "(references.md#rf-bands).",
    )
    uplink_channel_mhz: PositiveFloat = Field(
        USER_UPLINK_CHANNEL_MHZ,
        description="Uplink channel a terminal transmits in (references.md#uplink-channels).",
    )
    sat_uplink_g_over_t_db_k: Annotated[float, number(-100, 100)] | None = Field(
        None,
        description="The satellites' Ku receive G/T at the beam peak (none: lifeline's "
        "calibrated effective figure, references.md#uplink-channels); setting it allows uplink "
        "jammers.",
    )
    sat_beamwidth_deg: Annotated[float, number(0, 90, lo_open=True)] = Field(
        SAT_BEAMWIDTH_DEG,
        description="Half-power width of a satellite's receive beam, for an uplink jammer's "
        "roll-off (assumption, references.md#jamming).",
    )

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

    name: str = Field("", description="A label for reports.")
    lat_deg: Latitude = Field(description="Latitude of the rain circle's centre.")
    lon_deg: Longitude = Field(description="Longitude of the rain circle's centre.")
    radius_km: PositiveFloat = Field(description="Radius of the rain circle.")
    rate_mm_h: Annotated[float, number(0, MAX_RAIN_RATE_MM_H, lo_open=True)] = Field(
        description="Rain rate (ITU-R P.618; references.md#itu-r-models)."
    )


@allowing(" or ".join(f'"{t}"' for t in JAMMER_TARGETS))
def _target(value: Any) -> str:
    if value not in JAMMER_TARGETS:
        raise fail(_target.allowed)
    return value


class Jammer(Model):
    """``[[jammers]]``: a ground transmitter aimed at the terminals' Ku downlink or at the
    satellites' uplink beams (references.md#jamming)."""

    name: str = Field("", description="A label for reports.")
    lat_deg: Latitude = Field(description="Latitude where it stands.")
    lon_deg: Longitude = Field(description="Longitude where it stands.")
    alt_m: Annotated[float, number(0, 1000)] = Field(
        10.0,
        description="Its antenna above the ground: with the terminal's 2 m it sets the smooth-"
        "Earth diffraction over the radio horizon (ITU-R P.526, k = 4/3): past the horizon the "
        "jammer fades, ~2 dB/km at Ku (assumption: a mast).",
    )
    eirp_dbw: Annotated[float, number(-50, 100)] = Field(
        description="EIRP toward the terminals, spread flat over bandwidth_mhz."
    )
    bandwidth_mhz: PositiveFloat = Field(
        description="Width of its noise, centred on the victim channel."
    )
    target: Annotated[str, PlainValidator(_target)] = Field(
        "user_downlink",
        description='What it jams: "user_downlink" (the terminals\' receivers) or "uplink" (the '
        "serving satellites' receive beams; needs [radio] sat_uplink_g_over_t_db_k, as the "
        "satellites' G/T is not public).",
    )
    extra_loss_db: NonNegativeFloat = Field(
        0.0, description="Terrain, clutter and polarisation loss on the ground path."
    )
    windows: tuple[TimeWindow, ...] = Field(
        (), description="When it transmits (none: the whole run)."
    )
