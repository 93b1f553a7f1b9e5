"""``[radio]``, ``[[rain]]``, ``[[jammers]]`` and terminal demand, as scenario models.

The models only, with the defaults a scenario starts from; what the run computes from them
(attenuation tables, SINR, MODCOD, throughput) is :mod:`lifeline.radio`.

Uplink jamming (``target = "uplink"``) is not supported: it needs the satellites' Ku receive
gain and G/T, which are not published in a citable source (references.md#satellite-capacity).
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
    """

    enabled: StrictBool = Field(
        True, description="Compute the downlink budget, MODCOD and throughput at all."
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
    terminal_aperture_m: PositiveFloat = Field(
        TERMINAL_APERTURE_M,
        description="Terminal receive aperture (filing, references.md#terminal-antenna).",
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

    name: str = Field("", description="A label for reports.")
    lat_deg: Latitude = Field(description="Latitude of the rain circle's centre.")
    lon_deg: Longitude = Field(description="Longitude of the rain circle's centre.")
    radius_km: PositiveFloat = Field(description="Radius of the rain circle.")
    rate_mm_h: Annotated[float, number(0, MAX_RAIN_RATE_MM_H, lo_open=True)] = Field(
        description="Rain rate (ITU-R P.618; references.md#itu-r-models)."
    )


@allowing(" or ".join(f'"{t}"' for t in JAMMER_TARGETS))
def _target(value: Any) -> str:
    if value == "uplink":
        raise fail(
            '"user_downlink" (uplink jamming needs the satellites\' Ku receive gain and G/T, '
            "which are not public, references.md#jamming)"
        )
    if value not in JAMMER_TARGETS:
        raise fail(_target.allowed)
    return value


class Jammer(Model):
    """``[[jammers]]``: a ground transmitter aimed at the terminals' Ku downlink
    (references.md#jamming)."""

    name: str = Field("", description="A label for reports.")
    lat_deg: Latitude = Field(description="Latitude where it stands.")
    lon_deg: Longitude = Field(description="Longitude where it stands.")
    alt_m: Annotated[float, number(0, 1000)] = Field(
        10.0,
        description="Its antenna above the ground: sets its radio horizon (ITU-R P.834, "
        "k = 4/3), beyond which it is not heard (assumption: a mast).",
    )
    eirp_dbw: Annotated[float, number(-50, 100)] = Field(
        description="EIRP toward the terminals, spread flat over bandwidth_mhz."
    )
    bandwidth_mhz: PositiveFloat = Field(
        description="Width of its noise, centred on the victim channel."
    )
    target: Annotated[str, PlainValidator(_target)] = Field(
        "user_downlink",
        description='What it jams: "user_downlink" only (uplink jamming needs the satellites\' '
        "receive gain and G/T, which are not public).",
    )
    extra_loss_db: NonNegativeFloat = Field(
        0.0, description="Terrain, clutter and polarisation loss on the ground path."
    )
    windows: tuple[TimeWindow, ...] = Field(
        (), description="When it transmits (none: the whole run)."
    )
