"""``[constellation]`` and ``[network]``: which satellites fly and how they are connected.

Input files (``tle_file``, ``hypatia_tle_file``, ``isl_file``) are found by
:mod:`lifeline.config.load`; the models take the absolute paths it found from the validation
context (:func:`lifeline.config.fields.from_loader`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, PlainValidator, PrivateAttr, StrictBool, ValidationInfo, model_validator

from lifeline.config.fields import (
    ElevationDeg,
    Model,
    Name,
    NonNegativeFloat,
    PositiveFloat,
    UtcDatetime,
    allowing,
    designator,
    fail,
    finite_number,
    from_loader,
    number,
)
from lifeline.constants import (
    FIBER_GROUP_INDEX,
    FIBER_ROUTE_STRETCH,
    ISL_MIN_GRAZING_ALTITUDE_KM,
    MAX_CATALOG_NUMBER,
    MIN_ELEVATION_DEG,
)

__all__ = ["DEFAULT_ALTITUDE_BAND_KM", "Constellation", "Network", "Shell"]

# Plausible altitude band of a LEO satellite [km]: outside it a propagated state is treated as
# absent (lifeline/data/PROVENANCE.md, note on using the 2022-08-17 snapshot for May 2022).
DEFAULT_ALTITUDE_BAND_KM = (150.0, 2000.0)


_BAND = "[min_km, max_km] with 0 < min_km < max_km"


@allowing(_BAND)
def _altitude_band(value: Any) -> tuple[float, float]:
    allowed = _BAND
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise fail(allowed)
    if not all(finite_number(v) for v in value):
        raise fail(allowed)
    lo, hi = float(value[0]), float(value[1])
    if not 0 < lo < hi:
        raise fail(allowed)
    return lo, hi



class Shell(Model):
    """``[[constellation.shells]]``: one Walker-delta shell (Walker 1984, ``i: T/P/F``): ``planes``
    equally spaced planes of ``sats_per_plane`` equally spaced satellites
    (references.md#constellation-shells)."""

    name: Name = Field(description="Shell name, unique in the constellation.")
    altitude_km: Annotated[float, number(150, 2000)] = Field(
        description="Circular orbit altitude above the WGS84 equatorial radius."
    )
    inclination_deg: Annotated[float, number(0, 180)] = Field(description="Orbit inclination.")
    planes: Annotated[int, number(1, integer=True)] = Field(
        description="Number of orbital planes P; planes x sats_per_plane <= 339,999, one SGP4 "
        "catalog number per satellite (Alpha-5, references.md#sgp4)."
    )
    sats_per_plane: Annotated[int, number(1, integer=True)] = Field(
        description="Satellites per plane (T / P); planes x sats_per_plane <= 339,999."
    )
    phasing: Annotated[int, number(0, integer=True)] = Field(
        description="Walker phasing factor F, 0 <= F < planes: satellite k of plane p+1 is "
        "F x 360 / T degrees ahead of satellite k of plane p."
    )

    @model_validator(mode="after")
    def _check(self) -> Shell:
        why = (
            f"a shell holds at most {MAX_CATALOG_NUMBER:,} satellites (planes x sats_per_plane), "
            f"one SGP4 catalog number each (1..{MAX_CATALOG_NUMBER}, Alpha-5)"
        )
        if self.planes > MAX_CATALOG_NUMBER:
            raise fail(
                f"an integer in 1..{MAX_CATALOG_NUMBER}: {why}", loc=("planes",), value=self.planes
            )
        total = self.planes * self.sats_per_plane
        if total > MAX_CATALOG_NUMBER:
            most = MAX_CATALOG_NUMBER // self.planes
            raise fail(
                f"an integer in 1..{most:,} with planes = {self.planes:,} "
                f"(planes x sats_per_plane = {total:,}): {why}",
                loc=("sats_per_plane",),
                value=self.sats_per_plane,
            )
        if self.phasing >= self.planes:
            raise fail(
                f"an integer in 0..{self.planes - 1} (phasing < planes = {self.planes})",
                loc=("phasing",),
                value=self.phasing,
            )
        return self


class Constellation(Model):
    """``[constellation]``: which satellites fly. Give exactly one source: ``tle_file``,
    ``hypatia_tle_file``, ``preset`` or ``[[constellation.shells]]``."""

    tle_file: Name | None = Field(
        None,
        description='Two-line elements: "builtin:NAME" (a snapshot shipped as '
        'lifeline/data/NAME.tle, references.md#tle-snapshots), "builtin:auto" (the shipped '
        'snapshot nearest time.start_utc), "cache:NAME" (fetched by `lifeline data fetch`, '
        'e.g. "cache:starlink-latest") or a path relative to the scenario file\'s folder.',
    )
    hypatia_tle_file: Name | None = Field(
        None,
        description='A Hypatia tles.txt (header "n_orbits n_sats_per_orbit", then 3-line '
        "records with ids 0, 1, 2, ... and one common epoch), relative to the scenario file's "
        "folder. Satellite i of the run is Hypatia's id i, in plane i // n_sats_per_orbit "
        "(Hypatia's numbering, which its +Grid generator assumes; references.md#hypatia).",
    )
    launched_by: Annotated[str, PlainValidator(designator)] | None = Field(
        None,
        description="Only with tle_file: keep the satellites launched at or before this "
        'international designator launch "YYYY-NNN" (none: the last launch estimated from the '
        "elements to have flown by time.start_utc, references.md#element-age).",
    )
    preset: Literal["starlink-gen1", "kuiper-gen1", "kuiper-630", "starlink-550"] | None = Field(
        None,
        description='Walker constellation preset: "starlink-gen1", "kuiper-gen1", or '
        'Hypatia\'s paper shells "kuiper-630" and "starlink-550" (set epoch_utc = '
        "2000-01-01T00:00:00Z to reproduce Hypatia's tles.txt; "
        "references.md#constellation-shells).",
    )
    epoch_utc: UtcDatetime | None = Field(
        None,
        description="Only with preset or shells: epoch of the Walker shells (none: "
        "time.start_utc).",
    )
    shells: tuple[Shell, ...] | None = Field(None, description="Walker-delta shells.")
    altitude_band_km: Annotated[tuple[float, float], PlainValidator(_altitude_band)] = Field(
        DEFAULT_ALTITUDE_BAND_KM,
        description="Plausible altitude band of a LEO satellite: propagated states outside it "
        "count as absent (a decayed or not yet raised satellite; assumption, "
        "lifeline/data/PROVENANCE.md).",
    )
    allow_stale_elements: StrictBool | Name = Field(
        False,
        description="Only with tle_file: run although the window is more than 120 days from the "
        "elements' median epoch (true), or, better, the reason as a string, which the run's "
        "notes record instead of the warning given beyond 14 days (references.md#element-age).",
    )
    _tle_path: Path | None = PrivateAttr(None)
    _hypatia_tle_path: Path | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> Constellation:
        given = {k: getattr(self, k) for k in ("tle_file", "hypatia_tle_file", "preset", "shells")}
        given = {k: v for k, v in given.items() if v is not None}
        one_of = (
            'exactly one of tle_file ("builtin:NAME" or a path), hypatia_tle_file (a Hypatia '
            "tles.txt), preset or [[constellation.shells]]"
        )
        if len(given) != 1:
            raise fail(one_of, value=sorted(given))
        if self.shells is not None:
            if not self.shells:
                raise fail(
                    "at least one [[constellation.shells]] table", loc=("shells",), value=[]
                )
            names = [s.name for s in self.shells]
            for i, name in enumerate(names):
                if name in names[:i]:
                    raise fail("a unique shell name", loc=("shells", i, "name"), value=name)
        if self.tle_file is None and self.launched_by is not None:
            raise fail("only allowed with tle_file", loc=("launched_by",), value=self.launched_by)
        if self.epoch_utc is not None and (self.tle_file, self.hypatia_tle_file) != (None, None):
            raise fail(
                "only allowed with preset or shells (a TLE file has its own epochs)",
                loc=("epoch_utc",),
                value=self.epoch_utc,
            )
        if self.tle_file is not None:
            self._tle_path = from_loader(info, "constellation.tle_file", "tle_file")
        if self.hypatia_tle_file is not None:
            self._hypatia_tle_path = from_loader(
                info, "constellation.hypatia_tle_file", "hypatia_tle_file"
            )
        return self

    @property
    def tle_path(self) -> Path | None:
        """Absolute path of the TLE file (``None`` for Walker constellations)."""
        return self._tle_path

    @property
    def hypatia_tle_path(self) -> Path | None:
        """Absolute path of the Hypatia ``tles.txt`` (``None`` unless ``hypatia_tle_file``)."""
        return self._hypatia_tle_path


class Network(Model):
    """``[network]``: how satellites, gateways and PoPs are connected."""

    isl: StrictBool = Field(
        True,
        description="Use inter-satellite laser links (false: bent pipe only, every path goes "
        "terminal - satellite - gateway; references.md#laser-history).",
    )
    isl_file: Name | None = Field(
        None,
        description='Only with isl = true: a Hypatia isls.txt (one "a b" pair of satellite '
        "ids a line, ids = positions in the constellation), relative to the scenario file's "
        "folder, whose links replace the +Grid lifeline builds itself; the length and grazing "
        "rules still apply at every instant.",
    )
    isl_max_range_km: PositiveFloat | None = Field(
        None,
        description="Longest usable laser link (e.g. a laser terminal's range; "
        "references.md#isl-range); none: no length limit beyond the grazing rule.",
    )
    isl_min_grazing_altitude_km: NonNegativeFloat = Field(
        ISL_MIN_GRAZING_ALTITUDE_KM,
        description="A laser link is usable only while its straight path stays above this "
        "altitude (Hypatia's 80 km rule, which gives 5,017 km links at 550 km; "
        "references.md#isl-range).",
    )
    processing_delay_ms: NonNegativeFloat = Field(
        0.0,
        description="Added to every round-trip time's access part (assumption: none by "
        "default).",
    )
    fiber_stretch: Annotated[float, number(1)] = Field(
        FIBER_ROUTE_STRETCH,
        description="Fibre route length over great-circle distance, for gateway - PoP backhaul, "
        "1.3 as existing conduits allow (references.md#fibre-stretch); a gateway's "
        "pop_route_km replaces it.",
    )
    fiber_group_index: Annotated[float, number(1)] = Field(
        FIBER_GROUP_INDEX,
        description="Group index of the fibre: light in it travels at c / this "
        "(SMF-28 at 1550 nm; references.md#fibre-group-index).",
    )
    min_elevation_deg: ElevationDeg = Field(
        MIN_ELEVATION_DEG,
        description="Minimum elevation of a satellite above a terminal's horizon, for "
        "terminals that do not set their own (references.md#min-elevation).",
    )
    gsl_max_range_km: PositiveFloat | None = Field(
        None,
        description="Longest ground-satellite link, for terminals that do not set "
        "max_range_km: a rule besides the elevation one (none: elevation only). Hypatia's "
        "paper uses range only, e.g. 1,089.686 km for Starlink-550; to reproduce it set this "
        "and min_elevation_deg = 0 (references.md#hypatia).",
    )
    serving_policy: Literal["min_rtt", "max_elevation", "longest_visible"] = Field(
        "min_rtt",
        description="How a terminal's serving satellite is chosen among the routable ones in "
        "view (lifeline/network/assign.py): min_rtt, the lowest RTT to a live PoP, keeping "
        "the current one unless another is 2 ms faster (assumption); max_elevation, the "
        "highest; longest_visible, the one that stays in view longest, kept until it sets.",
    )
    laser_satellites: Literal["history", "all"] = Field(
        "history",
        description="Which satellites of a real TLE constellation carry lasers: history, by "
        "launch (none on the v1.0 53.0 deg shell; references.md#laser-history), or all. "
        "Walker and Hypatia constellations give every satellite lasers.",
    )
    access_delay: Literal["auto", "2022", "2025", "none"] = Field(
        "auto",
        description="The access-delay model added to every RTT (lifeline/links/access.py; "
        "references.md#access-delay): auto, the 2022 profile before March 2024 and the 2025 "
        "one after; 2022; 2025; or none (propagation only, as Hypatia).",
    )
    access_seed: Annotated[int, number(0, integer=True)] = Field(
        0, description="Seed of the access-delay draws (>= 0)."
    )
    _isl_path: Path | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> Network:
        if self.isl_file is None:
            return self
        if not self.isl:
            raise fail(
                "only allowed with isl = true (bent pipe has no laser links): remove isl_file "
                "or set isl = true",
                loc=("isl_file",),
                value=self.isl_file,
            )
        self._isl_path = from_loader(info, "network.isl_file", "isl_file")
        return self

    @property
    def isl_path(self) -> Path | None:
        """Absolute path of the ``isl_file`` (``None`` without one); its ids are checked against
        the constellation when the run starts (:func:`lifeline.engine.scenario_isl_edges`)."""
        return self._isl_path

