"""The scenario schema as a whole: ``[time]``, the tables of a scenario file, and pair mode.

A scenario says *when* (``[time]``), *which satellites* (``[constellation]``), *how the network
behaves* (``[network]``; both in :mod:`lifeline.config.constellation`) and *where*
(``[[terminals]]``, ``[[gateways]]``, ``[[pops]]``; :mod:`lifeline.config.sites`). The models
are the reference for the format; ``lifeline/presets/*.toml`` are worked examples. ``pairs =
"all"`` or ``[[pairs]]`` tables (``src``, ``dst``: terminal names or 0-based ids) ask for pair
mode: shortest paths over ISLs between terminals used as ground stations, as Hypatia computes
them. ``[[events]]`` are in :mod:`lifeline.config.events`; ``[radio]``, ``[[rain]]`` and
``[[jammers]]`` in :mod:`lifeline.config.radio`.

Input files named in a scenario (``tle_file``, ``hypatia_tle_file``, ``isl_file``,
``ground_stations_file``, ``terminals.path.geojson``) are found and read by
:mod:`lifeline.config.load` before validation, so validating reads no file. Build scenarios with
:func:`lifeline.config.load_scenario` or :func:`lifeline.config.scenario_from_dict`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    Discriminator,
    Field,
    PlainValidator,
    PrivateAttr,
    StrictStr,
    Tag,
    ValidationInfo,
    model_validator,
)

from lifeline.config.constellation import Constellation, Network
from lifeline.config.events import EVENT_MODELS, Event
from lifeline.config.fields import (
    GRID_END_UTC,
    GRID_WHY,
    Model,
    Name,
    PositiveFloat,
    UtcDatetime,
    allowing,
    did_you_mean,
    fail,
    finite_number,
    number,
)
from lifeline.config.pairs import StationIndex, all_pairs
from lifeline.config.radio import Jammer, Radio, Rain
from lifeline.config.sites import Gateway, Ground, Pop, Terminal
from lifeline.constants import SCHEDULING_SLOT_S

__all__ = ["MAX_ROWS", "UNION_TAGS", "Pair", "Scenario", "TimeConfig"]

#: Largest run, in terminal-steps (output rows): the summary holds ~14 bytes of each in memory.
MAX_ROWS = 500_000_000

_MIN_STEP_S = 1e-9  # the engine's time resolution: whole nanoseconds


def _unique_names(kind: str, example: str) -> AfterValidator:
    """At least one entry, and unique ``name`` values (kind is the TOML table, for messages)."""

    def check(items: tuple[Any, ...]) -> tuple[Any, ...]:
        if not items:
            raise fail(f"at least one [[{kind}]] table ({example})")
        seen: dict[str, int] = {}
        for i, item in enumerate(items):
            if item.name in seen:
                raise fail(
                    f"a unique name ({kind}[{seen[item.name]}] has the same name)",
                    loc=(i, "name"),
                    value=item.name,
                )
            seen[item.name] = i
        return items

    return AfterValidator(check)



def _is_multiple(value: float, step: float) -> bool:
    ratio = value / step
    return abs(ratio - round(ratio)) <= 1e-9 * max(1.0, ratio)


class TimeConfig(Model):
    """``[time]``: the simulated interval and its time steps.

    Give exactly one of ``duration_s`` and ``end_utc``; the duration is a whole number of
    steps.
    """

    start_utc: UtcDatetime = Field(description="Start of the interval (inclusive).")
    duration_given_s: PositiveFloat | None = Field(
        None, alias="duration_s", description="Length of the interval (or give end_utc)."
    )
    end_given_utc: UtcDatetime | None = Field(
        None, alias="end_utc", description="End of the interval, exclusive (or give duration_s)."
    )
    step_s: Annotated[float, number(0, 3600, lo_open=True)] = Field(
        1.0,
        description="Output time step, at least 1e-9 s (the engine counts time in whole "
        "nanoseconds); assumption: 1 s resolves every handover.",
    )
    slot_s: PositiveFloat = Field(
        SCHEDULING_SLOT_S,
        description="Scheduling slot: serving satellites are re-planned at its start; a whole "
        "number of steps. Starlink's global re-planning interval "
        "(references.md#reconfiguration-interval).",
    )
    propagation_step_s: Annotated[float, number(1, 600)] = Field(
        60.0,
        description="Coarse SGP4 sampling step; finer times are interpolated (cubic Hermite is "
        "sub-metre at 60 s, so a finer step only costs time; references.md#sgp4).",
    )

    @model_validator(mode="after")
    def _check(self) -> TimeConfig:
        duration, end = self.duration_given_s, self.end_given_utc
        if duration is not None and end is not None:
            raise fail("give either duration_s or end_utc, not both", loc=("end_utc",), value=end)
        if duration is None and end is None:
            raise fail(
                "required: give duration_s (seconds > 0) or end_utc",
                loc=("duration_s",),
                value=None,
            )
        # Steps become whole nanoseconds in the engine: a smaller one rounds to 0, and
        # 30 s / 5e-324 s is inf steps (OverflowError below).
        if self.step_s < _MIN_STEP_S:
            raise fail(
                f"a step of at least {_MIN_STEP_S:g} s (the engine's time resolution, 1 ns)",
                loc=("step_s",),
                value=self.step_s,
            )
        room_s = (GRID_END_UTC - self.start_utc).total_seconds()
        if duration is not None and duration > room_s:
            raise fail(
                f"a duration that ends by {GRID_END_UTC:%Y-%m-%d}, {GRID_WHY} "
                f"(at most {room_s:.0f} s after start_utc)",
                loc=("duration_s",),
                value=duration,
            )
        if end is not None and end <= self.start_utc:
            raise fail(
                f"a time after start_utc ({self.start_utc.isoformat()})",
                loc=("end_utc",),
                value=end,
            )
        if self.slot_s < self.step_s or not _is_multiple(self.slot_s, self.step_s):
            raise fail(
                f"a whole multiple of step_s = {self.step_s:g} s",
                loc=("slot_s",),
                value=self.slot_s,
            )
        if not _is_multiple(self.duration_s, self.step_s):
            key, bad = ("duration_s", duration) if end is None else ("end_utc", end)
            raise fail(
                f"a duration that is a whole number of steps of step_s = {self.step_s:g} s "
                f"(got {self.duration_s:g} s)",
                loc=(key,),
                value=bad,
            )
        return self

    @property
    def duration_s(self) -> float:
        """Length of the interval [s]."""
        if self.duration_given_s is not None:
            return self.duration_given_s
        assert self.end_given_utc is not None  # guaranteed by validation
        return (self.end_given_utc - self.start_utc).total_seconds()

    @property
    def end_utc(self) -> datetime:
        """End of the interval (exclusive), UTC."""
        if self.end_given_utc is not None:
            return self.end_given_utc
        return self.start_utc + timedelta(seconds=self.duration_s)

    @property
    def n_steps(self) -> int:
        """Number of output time steps, ``duration_s / step_s``."""
        return round(self.duration_s / self.step_s)



@allowing("a terminal name (string) or a 0-based terminal id (integer >= 0)")
def _terminal_ref(value: Any) -> str | int:
    if isinstance(value, str) and value.strip():
        return value
    if finite_number(value, integer=True) and value >= 0:
        return value
    raise fail(_terminal_ref.allowed)


TerminalRef = Annotated[str | int, PlainValidator(_terminal_ref)]


class Pair(Model):
    """``[[pairs]]``: one (source, destination) pair of terminals for pair mode."""

    src: TerminalRef = Field(
        description="Source: a [[terminals]] name, or its 0-based position (the [[terminals]] "
        "tables, then the ground_stations_file stations)."
    )
    dst: TerminalRef = Field(description="Destination, as src; not src itself.")


@allowing('"all" or an array of [[pairs]] tables (src, dst)')
def _all_pairs(value: Any) -> str:
    if value != "all":
        raise fail(_all_pairs.allowed)
    return value


def _pairs_kind(value: Any) -> str:
    return "pairs:tables" if isinstance(value, list | tuple) else "pairs:all"


# Discriminator tags: dropped from error locations (``pairs[1].src``, not ``pairs.tables[1]``).
UNION_TAGS = {"pairs:all", "pairs:tables", *EVENT_MODELS}
PairSelection = Annotated[
    Annotated[str, PlainValidator(_all_pairs), Tag("pairs:all")]
    | Annotated[tuple[Pair, ...], Tag("pairs:tables")],
    Discriminator(_pairs_kind),
]


class Scenario(Model):
    """A whole scenario file: its top-level keys and tables."""

    name: Name = Field(description="Short name of the scenario, shown in outputs and reports.")
    description: StrictStr = Field("", description="What the scenario is about, in words.")
    extends: Name | None = Field(
        None,
        description="A base scenario, a preset name or a .toml path relative to this file, "
        "that this file is merged over (see extends above).",
    )
    time: TimeConfig = Field(description="When: the simulated interval and its steps.")
    constellation: Constellation = Field(description="Which satellites fly.")
    network: Network = Field(
        Network(), description="How satellites, gateways and PoPs are connected."
    )
    ground_stations_file: Name | None = Field(
        None,
        description="A Hypatia ground_stations.txt (id,name,lat_deg,lon_deg,elevation_m, "
        "optionally followed by Hypatia's x_m,y_m,z_m, which are not used), relative to the "
        "scenario file's folder. Each station becomes a terminal with its name, position and "
        "alt_m = its elevation, and default settings, after the [[terminals]] tables (station "
        "g is terminal len([[terminals]]) + g); names must not repeat.",
    )
    terminals: Annotated[
        tuple[Terminal, ...], _unique_names("terminals", "name, lat_deg, lon_deg")
    ] = Field(
        description="User terminals (ground stations in pair mode): at least one, unique names."
    )
    gateways: Annotated[
        tuple[Gateway, ...], _unique_names("gateways", "name, lat_deg, lon_deg")
    ] = Field(description="Gateways: at least one, unique names.")
    pops: Annotated[tuple[Pop, ...], _unique_names("pops", "name, lat_deg, lon_deg")] = Field(
        description="Points of presence: at least one, unique names."
    )
    pairs: PairSelection | None = Field(
        None,
        description='Pair mode, shortest paths over laser links between terminals as Hypatia '
        'computes them: "all" (every unordered pair of terminals) or [[pairs]] tables (none: '
        "no pair mode).",
    )
    events: tuple[Event, ...] = Field(
        (), description="What goes wrong and when: outages, ground loss, failures, power loss."
    )
    radio: Radio = Field(
        Radio(), description="The user downlink budget and the capacities traffic shares."
    )
    rain: tuple[Rain, ...] = Field((), description="Rain over a region for a time window.")
    jammers: tuple[Jammer, ...] = Field(
        (), description="Ground jammers aimed at the terminals' downlink."
    )
    terminals_file: Name | None = Field(
        None,
        description="Sites from a CSV (name, lat, lon and any terminal key as a column; horizon "
        "as ';'-separated sectors) or a GeoJSON file of points (properties: name and terminal "
        "keys), relative to the scenario file's folder; they come after the [[terminals]] "
        "tables, and an error names the file's line or feature.",
    )
    terminals_mode: Literal["replace", "append"] = Field(
        "replace",
        description="In a file that extends another: its [[terminals]] take the place of the "
        'base\'s ("replace"; a warning says so when the mode is not given) or come after them '
        '("append").',
    )
    ground: Ground = Field(
        Ground(),
        description="Where gateways and PoPs come from besides [[gateways]] and [[pops]].",
    )
    notes: tuple[StrictStr, ...] = Field(
        (),
        description="What loading assumed (orbits chosen, the elements' age, gateways found), "
        "after any notes the file gives; the report shows them.",
    )
    _source: str = PrivateAttr("<dict>")
    _pair_ids: tuple[tuple[int, int], ...] = PrivateAttr(())

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> Scenario:
        pop_names = [p.name for p in self.pops]
        for i, gw in enumerate(self.gateways):
            if gw.pop is not None and gw.pop not in pop_names:
                raise fail(
                    f"the name of a [[pops]] entry{did_you_mean(gw.pop, pop_names)} "
                    f"(one of: {', '.join(pop_names)})",
                    loc=("gateways", i, "pop"),
                    value=gw.pop,
                )
        self._check_event_names()
        self._check_routes()
        for i, jam in enumerate(self.jammers):
            if jam.target == "uplink" and self.radio.sat_uplink_g_over_t_db_k is None:
                raise fail(
                    '"user_downlink", or set [radio] sat_uplink_g_over_t_db_k: an uplink '
                    "jammer's effect is a ratio to the satellite's own noise, and the satellites' "
                    "Ku receive G/T is not public (lifeline's default is calibrated to measured "
                    "uploads, not a physical figure)",
                    loc=("jammers", i, "target"),
                    value=jam.target,
                )
        self._pair_ids = self._resolve_pairs()
        rows = self.time.n_steps * max(len(self.terminals), len(self._pair_ids))
        if rows > MAX_ROWS:
            what = (
                f"{len(self.terminals)} terminals"
                if len(self.terminals) >= len(self._pair_ids)
                else f"{len(self._pair_ids)} pairs"
            )
            raise fail(
                f"at most {MAX_ROWS:.0e} terminal-steps or pair-steps per run (here "
                f"{self.time.n_steps} steps x {what} = {rows:.2e}; the summary keeps ~14 bytes "
                "per terminal-step in memory): use a longer step_s or a shorter window",
                loc=("time", "step_s"),
                value=self.time.step_s,
            )
        self._source = (info.context or {}).get("source", "<dict>")
        return self

    def _check_routes(self) -> None:
        """Waypoint times strictly increase, after the start."""
        for i, t in enumerate(self.terminals):
            if t.waypoints is not None and t.path is not None:
                raise fail(
                    "either [[terminals.waypoints]] or a [terminals.path] table, not both",
                    loc=("terminals", i, "path"),
                    value=t.path.geojson,
                )
            if t.waypoints is None:
                continue
            if not t.waypoints:
                raise fail(
                    "at least one [[terminals.waypoints]] table",
                    loc=("terminals", i, "waypoints"),
                    value=[],
                )
            times = t.route(self.time.start_utc)[0]
            for j in range(1, len(times)):
                if times[j] <= times[j - 1]:
                    what = "start_utc" if j == 1 else f"waypoints[{j - 2}]"
                    w = t.waypoints[j - 1]
                    raise fail(
                        f"a time after {what} (waypoints go forward in time)",
                        loc=("terminals", i, "waypoints", j - 1),
                        value=w.time_s if w.time_utc is None else w.time_utc.isoformat(),
                    )

    def _check_event_names(self) -> None:
        """Sites named by [[events]] exist (satellites are checked when the run starts)."""
        known = {
            "gateways": ([g.name for g in self.gateways], "[[gateways]]"),
            "pops": ([p.name for p in self.pops], "[[pops]]"),
            "terminals": ([t.name for t in self.terminals], "[[terminals]]"),
        }
        for i, event in enumerate(self.events):
            for key, (names, table) in known.items():
                for j, name in enumerate(getattr(event, key, ())):
                    if name not in names:
                        listing = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
                        raise fail(
                            f"the name of a {table} entry{did_you_mean(name, names)} "
                            f"(one of: {listing})",
                            loc=("events", i, key, j),
                            value=name,
                        )

    def _resolve_pairs(self) -> tuple[tuple[int, int], ...]:
        """Terminal ids of the requested pairs (checked: known, distinct, not repeated)."""
        n = len(self.terminals)
        if self.pairs is None:
            return ()
        if self.pairs == "all":
            if n < 2:
                raise fail("at least two [[terminals]] for pair mode", loc=("pairs",), value="all")
            return tuple(map(tuple, all_pairs(n).tolist()))
        if not self.pairs:
            raise fail(
                '"all" or at least one [[pairs]] table (src, dst)', loc=("pairs",), value=[]
            )
        stations = StationIndex([t.name for t in self.terminals])
        from_file = self.ground_stations_file is not None
        after = ", then the ground_stations_file stations" if from_file else ""
        or_station = " or ground_stations_file station" if from_file else ""
        out: list[tuple[int, int]] = []
        seen: dict[tuple[int, int], int] = {}
        for k, pair in enumerate(self.pairs):
            ids = []
            for key in ("src", "dst"):
                ref = getattr(pair, key)
                found = stations.by_id(ref) if isinstance(ref, int) else stations.by_name(ref)
                if found is None and isinstance(ref, int):
                    raise fail(
                        f"a terminal id in 0..{n - 1} (the position of a [[terminals]] "
                        f"table{after}) or a terminal name",
                        loc=("pairs", k, key),
                        value=ref,
                    )
                if found is None:
                    raise fail(
                        f"the name of a [[terminals]] entry{or_station}"
                        f"{did_you_mean(ref, stations.names)} (one of: {stations.listing(8)}) "
                        "or its 0-based id",
                        loc=("pairs", k, key),
                        value=ref,
                    )
                ids.append(found)
            src, dst = ids
            if src == dst:
                raise fail(
                    f"a terminal other than src ({stations.names[src]!r})",
                    loc=("pairs", k, "dst"),
                    value=pair.dst,
                )
            if (src, dst) in seen:
                raise fail(
                    f"a pair not listed before (pairs[{seen[src, dst]}] is the same)",
                    loc=("pairs", k),
                    value=f"{stations.names[src]} -> {stations.names[dst]}",
                )
            seen[src, dst] = k
            out.append((src, dst))
        return tuple(out)

    @property
    def pair_ids(self) -> tuple[tuple[int, int], ...]:
        """(src, dst) terminal ids of pair mode, in file order (``"all"``: i < j, row-major).

        Empty when the scenario has no ``pairs``.
        """
        return self._pair_ids

    @property
    def source(self) -> str:
        """Where the scenario came from: a file path, ``"preset:NAME"`` or ``"<dict>"``."""
        return self._source


