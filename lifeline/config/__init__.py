"""The scenario schema and its loading: what a scenario or sweep file may say, and reading it.

- :mod:`~lifeline.config.fields`: the validators every model shares (numbers with one
  finite/overflow guard, names, UTC date-times, designators, coordinates);
- :mod:`~lifeline.config.scenario` (the whole file, ``[time]``, pairs),
  :mod:`~lifeline.config.constellation` (``[constellation]``, ``[network]``),
  :mod:`~lifeline.config.sites` (terminals, gateways, PoPs), :mod:`~lifeline.config.events`,
  :mod:`~lifeline.config.radio`, :mod:`~lifeline.config.sweep`: the pydantic models (frozen,
  unknown keys rejected), which read no file and import no model code;
- :mod:`~lifeline.config.errors`: pydantic errors → located
  :class:`~lifeline.errors.ScenarioError` (file, field, value, what is allowed);
- :mod:`~lifeline.config.load`: TOML, presets, ``extends`` (:func:`merge`) and the input
  files a scenario names; :mod:`~lifeline.config.sweepfile`: sweep files.

Everything a caller needs is importable from here: ``from lifeline.config import Scenario,
load_scenario, ScenarioError``.
"""

from lifeline.config.constellation import Constellation, Network, Shell
from lifeline.config.errors import ScenarioValidationError
from lifeline.config.events import (
    EVENT_MODELS,
    Event,
    GatewayOutage,
    GroundLoss,
    IslFailure,
    PopOutage,
    PowerLoss,
    SatelliteFailure,
    TimeWindow,
)
from lifeline.config.load import load_scenario, merge, scenario_from_dict
from lifeline.config.radio import (
    DEFAULT_MBPS_DOWN_PER_USER,
    DEFAULT_MBPS_UP_PER_USER,
    DEFAULT_USERS,
    JAMMER_TARGETS,
    Jammer,
    Radio,
    Rain,
)
from lifeline.config.scenario import MAX_ROWS, Pair, Scenario, TimeConfig
from lifeline.config.sites import Gateway, Pop, Power, RoutePath, Terminal, Waypoint
from lifeline.config.sweep import SweepConfig
from lifeline.config.sweepfile import (
    Sweep,
    config_json,
    grid_variant,
    load_sweep,
    resolved_dict,
    set_path,
    sweep_preset_names,
)
from lifeline.errors import ScenarioError

__all__ = [
    "DEFAULT_MBPS_DOWN_PER_USER",
    "DEFAULT_MBPS_UP_PER_USER",
    "DEFAULT_USERS",
    "EVENT_MODELS",
    "JAMMER_TARGETS",
    "MAX_ROWS",
    "Constellation",
    "Event",
    "Gateway",
    "GatewayOutage",
    "GroundLoss",
    "IslFailure",
    "Jammer",
    "Network",
    "Pair",
    "Pop",
    "PopOutage",
    "Power",
    "PowerLoss",
    "Radio",
    "Rain",
    "RoutePath",
    "SatelliteFailure",
    "Scenario",
    "ScenarioError",
    "ScenarioValidationError",
    "Shell",
    "Sweep",
    "SweepConfig",
    "Terminal",
    "TimeConfig",
    "TimeWindow",
    "Waypoint",
    "config_json",
    "grid_variant",
    "load_scenario",
    "load_sweep",
    "merge",
    "resolved_dict",
    "scenario_from_dict",
    "set_path",
    "sweep_preset_names",
]
