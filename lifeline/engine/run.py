"""The whole run: time chunks, the process pool and the radio pass.

The window is cut into chunks of whole slots, about :data:`CHUNK_S` (600 s) long
(:func:`chunk_bounds`); each chunk propagates the constellation once at the coarse step
(``time.propagation_step_s``, SGP4), interpolates positions wherever it needs them and runs its
slots (:func:`simulate_chunk`). Chunks are independent, so they run in a standard-library
process pool and the result does not depend on the number of workers.

The radio layer (:mod:`lifeline.radio`) runs in the worker on each chunk's rows
(:func:`chunk_with_radio`): SINR with rain and jammers, MODCOD and max-min fair throughput down
(each path's beam, feeder link and lasers) and up (the uplink beam), shared with the cells'
other subscribers (:func:`apply_radio`); terminals whose downlink or uplink does not close are
cut off with reason ``low_sinr`` or ``jammed``. Its ITU-R tables are built once, in the parent,
before the workers start.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from lifeline.config import Scenario
from lifeline.engine.inputs import (
    Ground,
    LaserLinks,
    build_constellation,
    build_ground,
    power_timeline,
    scenario_lasers,
    terminal_positions,
)
from lifeline.engine.instant import Context, Geometry, geometry_at, net_state, no_events
from lifeline.engine.shared import SharedInputs, SharedInstant, shared_key
from lifeline.engine.slot import SlotRows, simulate_slot
from lifeline.events import compile_events
from lifeline.kits import get_kit
from lifeline.links.access import (
    ACCESS_PROFILES,
    AccessProfile,
    access_profile_for,
    rtt_access_ms,
    terminal_key,
)
from lifeline.links.gsl import SiteSet
from lifeline.links.isl import LASERS_CARRY_USERS_FROM, lasers_carry_users
from lifeline.network.assign import LOOKAHEAD_S
from lifeline.orbits.propagate import Constellation, Ephemeris
from lifeline.procs import init_worker, ordered_map, stop_pool
from lifeline.radio import RadioColumns, RadioPrep, prepare_radio, radio_columns
from lifeline.reasons import REASON_JAMMED, REASON_LOW_SINR, REASON_NO_POWER, REASONS
from lifeline.results import (
    TERMINALS_SCHEMA,
    RunCheckpoint,
    RunInfo,
    accumulator_columns,
    dictionary_column,
)
from lifeline.runsize import RunSize, estimate_run
from lifeline.streams import MemoryStreams

log = logging.getLogger(__name__)

#: Length of a time chunk [s]: the unit of propagation, parallel work and streaming, so memory
#: is bounded by one chunk per worker. A multiple of the usual propagation steps (30, 60 s).
CHUNK_S = 600.0

ProgressCallback = Callable[[int, int], None]


def _chunk_table(
    ground: Ground,
    constellation: Constellation,
    start_ns: np.int64,
    t_s: np.ndarray,
    rows: SlotRows,
    radio: RadioColumns,
    modcod_names: list[str],
    demand: Demand,
) -> pa.Table:
    """Flatten (steps, N) arrays into time-major rows of the terminals table."""
    n_steps, n_term = rows.connected.shape
    f32 = np.float32
    time_ns = start_ns + np.round(t_s * 1e9).astype(np.int64)
    columns = {
        "time_utc": pa.array(np.repeat(time_ns, n_term), type=pa.timestamp("ns", tz="UTC")),
        "time_s": np.repeat(t_s, n_term),
        "terminal": dictionary_column(np.tile(np.arange(n_term), n_steps), ground.terminal_names),
        "connected": rows.connected.ravel(),
        "reason": dictionary_column(rows.reason.ravel(), list(REASONS)),
        "satellite": dictionary_column(rows.satellite.ravel(), constellation.names),
        "elevation_deg": rows.elevation_deg.ravel(),
        "azimuth_deg": rows.azimuth_deg.ravel(),
        "range_km": rows.range_km.ravel(),
        "isl_hops": pa.array(
            rows.isl_hops.ravel(), type=pa.int16(), mask=rows.isl_hops.ravel() < 0
        ),
        "gateway": dictionary_column(rows.gateway.ravel(), ground.gateway_names),
        "pop": dictionary_column(rows.pop.ravel(), ground.pop_names),
        "rtt_ms": rows.rtt_ms.ravel(),
        "rtt_space_ms": rows.rtt_space_ms.ravel(),
        "rtt_ground_ms": rows.rtt_ground_ms.ravel(),
        "rtt_access_ms": rows.rtt_access_ms.ravel(),
        "sinr_db": pa.array(radio.sinr_db.ravel().astype(f32), from_pandas=True),
        "modcod": dictionary_column(radio.modcod.ravel(), modcod_names),
        "capacity_down_mbps": pa.array(
            radio.capacity_down_mbps.ravel().astype(f32), from_pandas=True
        ),
        "capacity_up_mbps": pa.array(radio.capacity_up_mbps.ravel().astype(f32), from_pandas=True),
        "demand_down_mbps": np.tile(demand.down_mbps.astype(f32), n_steps),
        "demand_up_mbps": np.tile(demand.up_mbps.astype(f32), n_steps),
        "throughput_down_mbps": radio.throughput_down_mbps.ravel().astype(f32),
        "throughput_up_mbps": radio.throughput_up_mbps.ravel().astype(f32),
    }
    return pa.table(columns, schema=TERMINALS_SCHEMA)


@dataclass(frozen=True)
class Demand:
    """What each terminal asks for [Mbit/s], (N,) each way: users × Mbit/s per user, capped at
    the per-terminal limits of its kit (:mod:`lifeline.kits`)."""

    down_mbps: np.ndarray
    up_mbps: np.ndarray

    @classmethod
    def of(cls, scenario: Scenario) -> Demand:
        kits = [get_kit(t.kit) for t in scenario.terminals]
        return cls(
            np.array(
                [min(t.users * t.mbps_down_per_user, k.max_down_mbps)
                 for t, k in zip(scenario.terminals, kits, strict=True)], dtype=float,
            ),
            np.array(
                [min(t.users * t.mbps_up_per_user, k.max_up_mbps)
                 for t, k in zip(scenario.terminals, kits, strict=True)], dtype=float,
            ),
        )  # fmt: skip


def apply_radio(
    radio: RadioPrep | None,
    ground: Ground,
    n_sats: int,
    t_s: np.ndarray,
    chunk: ChunkResult,
    demand: Demand,
) -> RadioColumns:
    """The radio layer over one chunk (:func:`lifeline.radio.radio_columns`): terminals whose
    downlink or uplink does not close are cut off with reason ``low_sinr`` or ``jammed`` (their
    SINR is kept). ``radio`` None (``[radio] enabled = false``): no radio columns, demand
    served."""
    rows = chunk.rows
    if radio is None:
        nan = np.full(rows.connected.shape, np.nan)
        down = np.where(rows.connected, demand.down_mbps, 0.0)
        up = np.where(rows.connected, demand.up_mbps, 0.0)
        no = np.full(nan.shape, -1)
        return RadioColumns(nan, no, nan, nan, down, up, np.zeros(nan.shape, np.int8))
    cfg = radio.config
    lat, lon, ecef = terminal_positions(ground, t_s)
    if not ground.terminal_routes:  # fixed: one row broadcasts over the steps
        lat, lon, ecef = lat[:1], lon[:1], ecef[:1]
    # Keys below G·S are feeder links, the others lasers (path_link_keys).
    feeder = rows.link_key < len(ground.gateway_names) * n_sats
    link_capacity = np.where(feeder, cfg.feeder_capacity_mbps, cfg.isl_capacity_mbps)
    decision = np.zeros(len(t_s), dtype=bool)
    decision[chunk.slot_starts] = True
    cols = radio_columns(
        radio,
        t_s,
        rows.connected,
        rows.satellite,
        rows.elevation_deg,
        rows.azimuth_deg,
        rows.range_km,
        lat,
        lon,
        ecef,
        rows.path,
        rows.link_key,
        np.where(rows.link_key < 0, 0.0, link_capacity),
        decision,
    )
    for code, reason in ((1, REASON_LOW_SINR), (2, REASON_JAMMED)):
        rows.cut_off(cols.outage == code, REASONS.index(reason))
    return cols


@dataclass(frozen=True)
class Prepared:
    """Everything a run computes once before the time loop (the same in every worker)."""

    scenario: Scenario
    start: np.datetime64
    constellation: Constellation
    ctx: Context
    lasers: LaserLinks
    access: AccessProfile | None  # None: propagation only (network.access_delay = "none")
    terminal_keys: np.ndarray  # (N,) access-delay keys (links.access.terminal_key)
    shared: SharedInputs | None = None


def prepare(scenario: Scenario, shared: SharedInputs | None = None) -> Prepared:
    """Build the constellation, the ground arrays and the ISL topology of a scenario (the
    constellation and laser links from ``shared`` when given, whose key must match)."""
    start = np.datetime64(scenario.time.start_utc.replace(tzinfo=None), "ns")
    if shared is not None and shared.key != shared_key(scenario):
        raise ValueError("shared inputs of another constellation, window or gateway set")
    ground = build_ground(scenario)
    net = scenario.network
    if shared is not None:
        constellation, lasers = shared.constellation, shared.lasers
    else:
        constellation = build_constellation(scenario)
        lasers = scenario_lasers(scenario, constellation, start)
    isl_edges = lasers.edges
    timeline = compile_events(
        scenario.events,
        source=scenario.source,
        start_utc=scenario.time.start_utc,
        duration_s=scenario.time.duration_s,
        gateway_names=ground.gateway_names,
        gateway_lat_deg=ground.gateway_lat_deg,
        gateway_lon_deg=ground.gateway_lon_deg,
        pop_names=ground.pop_names,
        pop_lat_deg=ground.pop_lat_deg,
        pop_lon_deg=ground.pop_lon_deg,
        sat_names=constellation.names,
        sat_catalog=constellation.catalog,
        isl_edges=isl_edges,
        terminal_names=ground.terminal_names,
    )
    ctx = Context(
        ground,
        SiteSet.prepare(
            ground.terminal_ecef_km,
            ground.terminal_lat_deg,
            ground.terminal_lon_deg,
            ground.terminal_min_elevation_deg,
            ground.terminal_horizon_deg,
            ground.terminal_max_range_km,
        ),
        SiteSet.prepare(
            ground.gateway_ecef_km,
            ground.gateway_lat_deg,
            ground.gateway_lon_deg,
            ground.gateway_min_elevation_deg,
        ),
        isl_edges,
        lasers.formed,
        net.isl_max_range_km,
        net.isl_min_grazing_altitude_km,
        len(constellation),
        timeline,
        [net_state(ground, m) for m in timeline.masks],
        net_state(ground, no_events(ground, len(constellation), len(isl_edges))),
        scenario.time.step_s,
        power_timeline(scenario, ground),
        net.serving_policy,
    )
    access = None
    if net.access_delay == "auto":
        access = access_profile_for(start)
    elif net.access_delay != "none":
        access = ACCESS_PROFILES[net.access_delay]
    keys = np.array([terminal_key(name) for name in ground.terminal_names], dtype=np.int64)
    return Prepared(scenario, start, constellation, ctx, lasers, access, keys, shared)


def access_delay_ms(prep: Prepared, k0: int, k1: int) -> np.ndarray:
    """(steps, N) access part of the RTT at steps [k0, k1) [ms]: the model's delay
    (:func:`lifeline.links.access.rtt_access_ms`, slots counted from the run's start) plus
    ``network.processing_delay_ms``."""
    tm, net = prep.scenario.time, prep.scenario.network
    steps = np.arange(k0, k1)
    n_term = len(prep.terminal_keys)
    if prep.access is None:
        return np.full((len(steps), n_term), net.processing_delay_ms)
    per_slot = int(round(tm.slot_s / tm.step_s))
    delay = rtt_access_ms(
        prep.access, prep.terminal_keys, steps // per_slot, steps % per_slot, net.access_seed
    )
    return delay + net.processing_delay_ms


def chunk_bounds(scenario: Scenario) -> list[tuple[int, int]]:
    """Step ranges [k0, k1) of the time chunks: whole slots, about ``CHUNK_S`` long.

    Chunks depend on the scenario only (never on the number of workers), and start on the
    propagation grid when ``CHUNK_S`` is a multiple of the propagation step, so results do not
    depend on how the run is split.
    """
    tm = scenario.time
    steps_per_slot = int(round(tm.slot_s / tm.step_s))
    steps_per_chunk = steps_per_slot * max(1, int(CHUNK_S // tm.slot_s))
    return [
        (k0, min(tm.n_steps, k0 + steps_per_chunk)) for k0 in range(0, tm.n_steps, steps_per_chunk)
    ]


@dataclass
class ChunkResult:
    rows: SlotRows
    sgp4_error_samples: int
    out_of_band_samples: int
    slot_starts: np.ndarray  # steps (from the chunk's first) where a slot starts


def simulate_chunk(prep: Prepared, k0: int, k1: int) -> ChunkResult:
    """Steps [k0, k1) of the run: propagate once, then slot by slot."""
    tm = prep.scenario.time
    step_ns = tm.step_s * 1e9
    chunk_start = prep.start + np.timedelta64(int(round(k0 * step_ns)), "ns")
    chunk_end = prep.start + np.timedelta64(int(round((k1 - 1) * step_ns)), "ns")

    # longest_visible looks ahead of each plan: the ephemeris reaches past the chunk (samples
    # inside it are the same either way).
    ahead = prep.ctx.serving_policy == "longest_visible"
    eph_end = chunk_end + np.timedelta64(int(LOOKAHEAD_S * 1e9), "ns") if ahead else chunk_end

    def compute_ephemeris() -> Ephemeris:
        return Ephemeris.compute(
            prep.constellation,
            chunk_start,
            eph_end,
            step_s=tm.propagation_step_s,
            altitude_band_km=tuple(prep.scenario.constellation.altitude_band_km),
        )

    shared = prep.shared
    eph = compute_ephemeris() if shared is None else shared.ephemeris((k0, k1), compute_ephemeris)

    def geometry_of_slot(s0: int) -> Callable[[int], SharedInstant] | None:
        if shared is None or prep.ctx.ground.terminal_routes:
            return None  # simulate_slot computes it (moving terminals: at every instant)
        ctx = prep.ctx

        def geometry(k: int) -> SharedInstant:
            def compute() -> Geometry:
                r, valid = eph.at(np.array([(s0 - k0 + k) * tm.step_s]))
                return geometry_at(ctx, r[0], valid[0], (s0 + k) * tm.step_s)

            return shared.instant(s0 + k, ctx, compute)

        return geometry

    steps_per_slot = int(round(tm.slot_s / tm.step_s))
    # A slot is cut where an event starts or ends: the network is re-planned at once.
    cuts = prep.ctx.timeline.boundary_steps(tm.step_s)
    starts = np.union1d(np.arange(k0, k1, steps_per_slot), cuts[(cuts > k0) & (cuts < k1)])
    slots: list[SlotRows] = []
    for s0, s1 in zip(starts, np.r_[starts[1:], k1], strict=True):
        # The serving policy may keep each terminal's satellite of the step before (none at
        # a chunk's first slot, so chunks stay independent).
        slots.append(
            simulate_slot(
                prep.ctx,
                eph,
                (np.arange(s0, s1) - k0) * tm.step_s,
                prep.ctx.state_at_step(s0),
                k0 * tm.step_s,
                geometry_of_slot(int(s0)),
                slots[-1].satellite[-1] if slots else None,
            )
        )
    rows = SlotRows.concatenate(slots)
    rows.rtt_access_ms = np.where(rows.connected, access_delay_ms(prep, k0, k1), np.nan)
    # One order of addition everywhere, so the parts sum to rtt_ms exactly.
    rows.rtt_ms = rows.rtt_space_ms + rows.rtt_ground_ms + rows.rtt_access_ms
    tl, power = prep.ctx.timeline, prep.ctx.power
    if tl.power_off or power.stats:
        t_s = np.arange(k0, k1) * tm.step_s
        powered = tl.terminal_powered(t_s, rows.connected.shape[1]) & power.powered(t_s)
        rows.cut_off(~powered, REASONS.index(REASON_NO_POWER))
    return ChunkResult(rows, eph.n_sgp4_errors, eph.n_out_of_band, starts - k0)


def chunk_with_radio(
    prep: Prepared, radio: RadioPrep | None, demand: Demand, k0: int, k1: int
) -> tuple[ChunkResult, RadioColumns]:
    """Steps [k0, k1) and their radio columns (:func:`apply_radio`): the whole per-chunk work,
    so worker processes share the max-min fair sharing out instead of the parent doing it."""
    result = simulate_chunk(prep, k0, k1)
    t_s = np.arange(k0, k1) * prep.scenario.time.step_s
    cols = apply_radio(radio, prep.ctx.ground, len(prep.constellation), t_s, result, demand)
    return result, cols


# One Prepared per worker process, built by the pool initializer (Satrec objects do not
# pickle, so each worker rebuilds from the scenario, which does), and the radio layer's inputs
# the parent built (plain arrays: they pickle; the ITU-R tables are computed once, there).
_worker_prep: Prepared | None = None
_worker_radio: tuple[RadioPrep | None, Demand] | None = None


def _init_worker(
    scenario: Scenario, radio: RadioPrep | None, demand: Demand, parent_pid: int
) -> None:
    global _worker_prep, _worker_radio
    init_worker(parent_pid)  # exit with the parent; Ctrl-C is the parent's
    logging.getLogger("lifeline").setLevel(logging.ERROR)  # the parent warns (simulate)
    _worker_prep = prepare(scenario)
    _worker_radio = (radio, demand)


def _worker_chunk(bounds: tuple[int, int]) -> tuple[ChunkResult, RadioColumns]:
    assert _worker_prep is not None and _worker_radio is not None
    return chunk_with_radio(_worker_prep, *_worker_radio, *bounds)


def run_size(scenario: Scenario, n_satellites: int, workers: int | None = None) -> RunSize:
    """The run's size and estimated time and memory (:func:`lifeline.runsize.estimate_run`)."""
    tm = scenario.time
    first = chunk_bounds(scenario)[0] if tm.n_steps else (0, 0)
    return estimate_run(
        tm.n_steps,
        tm.step_s,
        tm.slot_s,
        first[1] - first[0],
        len(scenario.terminals),
        n_satellites,
        scenario.radio.enabled,
        workers,
    )


def simulate(
    scenario: Scenario,
    on_table: Callable[[pa.Table], None],
    accumulator: MemoryStreams,
    progress: ProgressCallback | None = None,
    workers: int | None = None,
    shared: SharedInputs | None = None,
    checkpoint: RunCheckpoint | None = None,
    check_size: Callable[[RunSize], None] | None = None,
) -> RunInfo:
    """Run the scenario, handing each chunk's rows to ``on_table`` in time order.

    Parameters
    ----------
    scenario : a validated scenario.
    on_table : receives one ``pyarrow.Table`` (schema ``TERMINALS_SCHEMA``) per chunk.
    accumulator : collects the per-terminal streams the summary needs (in memory, or on disk:
        :class:`lifeline.streams.DiskStreams`, so memory does not grow with the run).
    progress : called as ``progress(steps_done, steps_total)``.
    workers : processes for the time chunks (None: one per CPU core; 1: in this process).
        Chunks are independent (each propagates its own window), so they run in parallel in a
        standard-library process pool; the result is identical for any number of workers.
    shared : inputs reused from earlier runs in this process (a :class:`SharedInputsCache`); the
        chunks use its ephemerides and geometry only when they run in this process.
    checkpoint : where each finished chunk is kept; chunks it already holds (an interrupted
        run being resumed) are read back instead of recomputed.
    check_size : called with the run's estimated size once the constellation is known, before
        any chunk (it raises to refuse a run too large for the machine).
    """
    prep = prepare(scenario, shared)
    if check_size is not None:
        check_size(run_size(scenario, len(prep.constellation), workers))
    ground, constellation = prep.ctx.ground, prep.constellation
    demand = Demand.of(scenario)
    accumulator.demand_down_mbps = demand.down_mbps
    accumulator.demand_up_mbps = demand.up_mbps
    log.info(
        "%d satellites, %d ISLs, %d terminals, %d gateways, %d PoPs",
        len(constellation),
        len(prep.ctx.isl_edges),
        len(ground.terminal_names),
        len(ground.gateway_names),
        len(ground.pop_names),
    )
    tm = scenario.time
    bounds = chunk_bounds(scenario)
    start_ns = prep.start.astype(np.int64)
    sgp4_errors = out_of_band = 0

    def build_radio() -> RadioPrep | None:
        if not scenario.radio.enabled:
            return None
        return prepare_radio(
            scenario.radio,
            scenario.rain,
            scenario.jammers,
            ground.terminal_lat_deg,
            ground.terminal_lon_deg,
            [get_kit(t.kit) for t in scenario.terminals],
            demand.down_mbps,
            demand.up_mbps,
            tm.start_utc,
            tm.duration_s,
        )

    def consume(
        done: tuple[ChunkResult, RadioColumns] | None, k0: int, k1: int, radio: RadioPrep | None
    ) -> None:
        nonlocal sgp4_errors, out_of_band
        if done is None:  # completed before an interruption: read back
            assert checkpoint is not None
            table, counts = checkpoint.load(k0, k1)
            n = len(ground.terminal_names)
            accumulator.add(*accumulator_columns(table, n, constellation.names, list(REASONS)))
        else:
            result, cols = done
            rows = result.rows
            t_s = np.arange(k0, k1) * tm.step_s
            accumulator.add(
                rows.connected,
                rows.rtt_ms,
                rows.satellite,
                rows.reason,
                cols.throughput_down_mbps,
                cols.throughput_up_mbps,
                np.stack([rows.rtt_space_ms, rows.rtt_ground_ms, rows.rtt_access_ms], axis=-1),
            )
            names = list(radio.modcods.names) if radio is not None else [""]
            table = _chunk_table(ground, constellation, start_ns, t_s, rows, cols, names, demand)
            counts = {
                "sgp4_error_samples": result.sgp4_error_samples,
                "out_of_band_samples": result.out_of_band_samples,
            }
            if checkpoint is not None:
                checkpoint.save(k0, k1, table, counts)
        sgp4_errors += counts["sgp4_error_samples"]
        out_of_band += counts["out_of_band_samples"]
        on_table(table)
        if progress is not None:
            progress(k1, tm.n_steps)

    todo = [b for b in bounds if checkpoint is None or not checkpoint.has(*b)]
    n_workers = max(1, min(len(todo), workers or os.cpu_count() or 1))

    # The radio layer's inputs (the ITU-R tables: itur is slow to load) are built once, here,
    # before the workers start; each worker then does a chunk's radio pass with its rows, so the
    # max-min fair sharing runs in parallel and never in the time loop of the parent.
    pending = set(todo)
    radio = build_radio()
    if n_workers <= 1:
        for k0, k1 in bounds:
            done = chunk_with_radio(prep, radio, demand, k0, k1) if (k0, k1) in pending else None
            consume(done, k0, k1, radio)
    else:
        pool = ProcessPoolExecutor(
            n_workers, initializer=_init_worker, initargs=(scenario, radio, demand, os.getpid())
        )
        ok = False
        try:
            # At most one chunk per worker plus one waiting is submitted and not yet consumed
            # (ordered_map), so finished chunks do not pile up here while the parent turns an
            # earlier one into rows: memory is bounded by the chunk, not the run. Results come
            # in time order.
            results = ordered_map(pool, _worker_chunk, todo, ahead=n_workers + 1)
            for k0, k1 in bounds:
                consume(next(results) if (k0, k1) in pending else None, k0, k1, radio)
            ok = True
        finally:
            if ok:
                pool.shutdown()
            else:  # an error or Ctrl-C: end the workers now, not after their chunks
                stop_pool(pool)
    if sgp4_errors or out_of_band:
        log.warning(
            "%s: %d propagated samples are unusable (%d SGP4 errors, %d outside the altitude "
            "band %s km); those satellites are absent there (summary.json: "
            "propagation_warnings)",
            constellation.source,
            sgp4_errors + out_of_band,
            sgp4_errors,
            out_of_band,
            list(scenario.constellation.altitude_band_km),
        )
    return RunInfo(
        n_satellites=len(constellation),
        n_isl_links=len(prep.ctx.isl_edges),
        n_steps=tm.n_steps,
        sgp4_error_samples=sgp4_errors,
        out_of_band_samples=out_of_band,
        events=prep.ctx.timeline.hits,
        power=prep.ctx.power.stats,
        assumptions=run_assumptions(prep),
    )


def run_assumptions(prep: Prepared) -> dict:
    """What a run assumes about lasers, the access link and the serving choice, in words and
    values, for summary.json and the report."""
    net, tm = prep.scenario.network, prep.scenario.time
    n = len(prep.constellation)
    if not net.isl:
        lasers = "bent pipe: no laser links (network.isl = false)"
    else:
        lasers = f"laser links on {prep.lasers.n_capable} of {n} satellites"
        if prep.constellation.plane.min() < 0 and net.laser_satellites == "history":
            lasers += " (those launched with lasers, references.md#laser-history)"
        if not lasers_carry_users(np.datetime64(prep.start)):
            lasers += (
                "; WHAT-IF: no public record shows lasers carrying users' traffic before "
                f"{str(LASERS_CARRY_USERS_FROM)[:10]}"
            )
    access = "none (propagation only)" if prep.access is None else f"profile {prep.access.name}"
    return {
        "lasers": lasers,
        "access_delay": access,
        "processing_delay_ms": net.processing_delay_ms,
        "serving_policy": net.serving_policy,
        "backhaul_stretch": net.fiber_stretch,
        "start_utc": tm.start_utc.isoformat(),
    }
