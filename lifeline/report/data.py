"""Reading a run's output folder for the report: the table, the summary and the scenario.

A run folder holds ``terminals.parquet`` and ``summary.json`` (written by :func:`lifeline.run`)
and, when written by ``lifeline run``, ``scenario.json`` (the resolved scenario). Older folders
without ``scenario.json`` fall back to re-loading the scenario named in ``summary.json``
(a preset, or a file that still exists); failing that the report is built without the map's
sites and says so.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from lifeline.errors import InputFileError, LifelineError
from lifeline.io.depth import parse_json
from lifeline.results import read_summary

__all__ = ["REQUIRED_COLUMNS", "ReportData", "load_report_data", "scenario_json"]

log = logging.getLogger(__name__)

#: Columns the report cannot do without; every other column is optional.
REQUIRED_COLUMNS = ("time_s", "terminal", "connected", "reason")

_RUN_FOLDER = "the output folder of `lifeline run` (terminals.parquet and summary.json)"


@dataclass(frozen=True)
class ReportData:
    """Everything the report shows.

    Attributes
    ----------
    out_dir : Path
        The run folder.
    summary : dict
        Content of ``summary.json``.
    scenario : dict or None
        The scenario as JSON data (``Scenario.model_dump(mode="json", by_alias=True)``), or
        None when it could not be found.
    scenario_origin : str
        Where :attr:`scenario` came from (a file, ``"preset:NAME"``) or why it is missing.
    table : pyarrow.Table
        The terminals table, full resolution.
    """

    out_dir: Path
    summary: dict
    scenario: dict | None
    scenario_origin: str
    table: pa.Table


def scenario_json(scenario) -> dict:
    """A scenario as JSON data with its TOML key names (``duration_s``, not the attribute)."""
    # warnings=False: pydantic 2.14 warns "Expected `datetime`" for fields checked by a
    # PlainValidator (start_utc, altitude_band_km) although it dumps the validated values
    # (a +03:00 start comes out in UTC).
    return scenario.model_dump(mode="json", by_alias=True, warnings=False)


def _read_json(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputFileError(str(path), 0, "missing", _RUN_FOLDER) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(str(path), 0, str(exc), "a readable UTF-8 JSON file") from None
    data = parse_json(text, str(path))
    if not isinstance(data, dict):
        raise InputFileError(str(path), 0, type(data).__name__, "a JSON object")
    return data


def _find_scenario(out_dir: Path, summary: dict) -> tuple[dict | None, str]:
    path = out_dir / "scenario.json"
    if path.is_file():
        return _read_json(path), str(path)
    source = summary.get("source")
    if not isinstance(source, str) or source == "<dict>":
        return None, "not recorded (no scenario.json in the folder)"
    from lifeline.config import load_scenario

    target = source.removeprefix("preset:")
    try:
        return scenario_json(load_scenario(target)), source
    except LifelineError as exc:
        log.warning("report without the scenario: %s", exc)
        return None, f"{source} could not be re-loaded ({exc})"


def load_report_data(out_dir: str | Path) -> ReportData:
    """Read a run folder.

    Raises
    ------
    InputFileError
        A file is missing or unreadable, or the table lacks a required column
        (:data:`REQUIRED_COLUMNS`).
    """
    out_dir = Path(out_dir)
    table_path = out_dir / "terminals.parquet"
    if not table_path.is_file():
        raise InputFileError(str(table_path), 0, "missing", _RUN_FOLDER)
    summary = read_summary(out_dir, need_terminals=False)
    try:
        table = pq.read_table(table_path)
    except (OSError, pa.ArrowException) as exc:
        raise InputFileError(str(table_path), 0, str(exc), "a Parquet file") from None
    missing = [c for c in REQUIRED_COLUMNS if c not in table.column_names]
    if missing:
        raise InputFileError(
            str(table_path),
            0,
            ", ".join(missing),
            f"a terminals table with the columns {', '.join(REQUIRED_COLUMNS)}",
            column="missing columns",
        )
    scenario, origin = _find_scenario(out_dir, summary)
    return ReportData(out_dir, summary, scenario, origin, table)
