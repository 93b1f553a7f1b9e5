"""The ``[sweep]`` table of a sweep file: which unknowns a sweep draws, as models.

The models only (what each key may hold); :mod:`lifeline.config.sweepfile` loads a sweep file
and checks it against its scenario, and :mod:`lifeline.sweep` draws and runs the samples (see
its docstring for the determinism rules).

``[sweep]`` keys (all optional; each sample draws them all):

=========================  =====================================================================
``gateways``, ``pops``     sites lost for the whole window: ``among = [names]`` (default: all
                           of the scenario's), and ``lost = k`` or ``lost = [k_min, k_max]``
                           (that many, uniformly chosen) or ``probability = p`` (each
                           independently)
``[[sweep.regions]]``      ``name``, ``probability`` and a region as in a ``ground_loss`` event
                           (circle or polygon): every gateway and PoP in it is lost
``satellite_failure``      ``fraction = f`` or ``[f_min, f_max]`` (uniform) of all satellites
                           fail, drawn with a recorded seed
``isl_failure``            the same for laser links
``terminals``              ``count = n`` or ``[n_min, n_max]``: keep the first n terminals
``rain``                   rain over a circle (``lat_deg``, ``lon_deg``, ``radius_km``) for the
                           whole window with ``probability`` (default 1), ``rate_mm_h = r`` or
                           ``[r_min, r_max]`` (uniform)
``jammer``                 one downlink jammer placed uniformly within ``radius_km`` of
                           (``lat_deg``, ``lon_deg``), ``eirp_dbw`` (number or uniform range),
                           ``bandwidth_mhz``, optional ``alt_m``, ``extra_loss_db``,
                           ``probability`` (present at all, default 1)
``grid``                   ``"dotted.path" = [values]``: a plain grid over any scenario field
                           (``"network.isl" = [true, false]``, ``"terminals[0].alt_m" = [...]``);
                           each grid point gets every random draw (common random numbers)
=========================  =====================================================================
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, PlainValidator, ValidationError, model_validator

from lifeline.config.events import GroundLoss
from lifeline.config.fields import Model, Name, allowing, fail, names, number, number_pair
from lifeline.constants import MAX_RAIN_RATE_MM_H

__all__ = [
    "FailureFraction",
    "JammerDraw",
    "RainDraw",
    "RegionLoss",
    "SiteLoss",
    "SweepConfig",
    "TerminalCount",
]

Probability = Annotated[float, number(0, 1, allowed="a probability in 0..1")]


class SiteLoss(Model):
    """``[sweep.gateways]`` / ``[sweep.pops]``: which of these sites are lost for the whole
    window; give ``lost`` or ``probability``."""

    among: Annotated[tuple[str, ...], names(distinct=True)] | None = Field(
        None, description="Candidate names (none: every site of that kind in the scenario)."
    )
    lost: Annotated[tuple[int, int], number_pair(0, 100_000, integer=True)] | None = Field(
        None,
        description="How many are lost, uniform in lost[0]..lost[1] (inclusive), chosen "
        "without replacement.",
    )
    probability: Probability | None = Field(
        None, description="Instead of lost: each candidate is lost independently with this."
    )

    @model_validator(mode="after")
    def _check(self) -> SiteLoss:
        if (self.lost is None) == (self.probability is None):
            raise fail("exactly one of lost = k (or [k_min, k_max]) and probability = p")
        if self.among is not None and self.lost is not None and self.lost[1] > len(self.among):
            raise fail(
                f"at most the {len(self.among)} names of among",
                loc=("lost",),
                value=self.lost[1],
            )
        return self


class RegionLoss(Model):
    """``[[sweep.regions]]``: a region whose gateways and PoPs are all lost with a probability.

    The region keys are those of a ``ground_loss`` event
    (:class:`lifeline.config.events.GroundLoss`).
    """

    name: Name = Field(description="Region name, unique in the sweep.")
    probability: Probability = Field(description="Chance that the region is lost in a sample.")
    center_lat_deg: float | None = Field(None, description="As in a ground_loss event.")
    center_lon_deg: float | None = Field(None, description="As in a ground_loss event.")
    radius_km: float | None = Field(None, description="As in a ground_loss event.")
    polygon_lat_deg: tuple[float, ...] | None = Field(
        None, description="As in a ground_loss event."
    )
    polygon_lon_deg: tuple[float, ...] | None = Field(
        None, description="As in a ground_loss event."
    )

    def event(self) -> dict[str, Any]:
        """The ``[[events]]`` table of this region's loss over the whole window."""
        keys = ("center_lat_deg", "center_lon_deg", "radius_km", "polygon_lat_deg")
        geometry = {k: getattr(self, k) for k in (*keys, "polygon_lon_deg")}
        return {"kind": "ground_loss", **{k: v for k, v in geometry.items() if v is not None}}

    @model_validator(mode="before")
    @classmethod
    def _check_region(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        region = {k: v for k, v in data.items() if k not in ("name", "probability")}
        try:
            GroundLoss.model_validate({"kind": "ground_loss", **region})
        except ValidationError as exc:
            err = exc.errors(include_url=False)[0]
            ctx = err.get("ctx") or {}
            loc = tuple(err["loc"]) + tuple(ctx.get("loc", ()))
            allowed = ctx.get("allowed", err["msg"])
            if err["type"] == "extra_forbidden":
                allowed = f"unknown key {loc[-1]!r}; a region takes the keys of a ground_loss event"
            raise fail(str(allowed), loc=loc, value=ctx.get("value", err.get("input"))) from None
        return data


class FailureFraction(Model):
    """``[sweep.satellite_failure]`` / ``[sweep.isl_failure]``: a failing fraction of all
    satellites (or laser links), drawn with a recorded seed."""

    fraction: Annotated[tuple[float, float], number_pair(0, 1)] = Field(
        description="Uniform in fraction[0]..fraction[1] (a single number: always that)."
    )


class RainDraw(Model):
    """``[sweep.rain]``: whether it rains over a region (a ``[[rain]]`` circle) for the whole
    window, and how hard."""

    lat_deg: Annotated[float, number(-90, 90)] = Field(description="Latitude of the centre.")
    lon_deg: Annotated[float, number(-180, 180)] = Field(description="Longitude of the centre.")
    radius_km: Annotated[float, number(1e-3, 20_000)] = Field(description="Radius of the circle.")
    rate_mm_h: Annotated[tuple[float, float], number_pair(1e-3, MAX_RAIN_RATE_MM_H)] = Field(
        description="Rain rate, uniform in rate_mm_h[0]..rate_mm_h[1] (a number: always that)."
    )
    probability: Probability = Field(
        1.0, description="Chance that it rains at all in a sample."
    )


class JammerDraw(Model):
    """``[sweep.jammer]``: one ground jammer (a ``[[jammers]]`` table for the whole window) at
    a random place within ``radius_km`` of a point (uniform over the disc) with a random EIRP."""

    lat_deg: Annotated[float, number(-90, 90)] = Field(
        description="Latitude of the centre of the area it may stand in."
    )
    lon_deg: Annotated[float, number(-180, 180)] = Field(
        description="Longitude of the centre of the area it may stand in."
    )
    radius_km: Annotated[float, number(0, 2_000)] = Field(
        0.0, description="Radius of that area (0: always at the centre)."
    )
    eirp_dbw: Annotated[tuple[float, float], number_pair(-50, 100)] = Field(
        description="EIRP, uniform in eirp_dbw[0]..eirp_dbw[1] (a number: always that)."
    )
    bandwidth_mhz: Annotated[float, number(1e-3, 10_000)] = Field(
        description="As in [[jammers]]."
    )
    alt_m: Annotated[float, number(0, 1_000)] = Field(10.0, description="As in [[jammers]].")
    extra_loss_db: Annotated[float, number(0, 300)] = Field(
        0.0, description="As in [[jammers]]."
    )
    probability: Probability = Field(
        1.0, description="Chance that the jammer is there at all in a sample."
    )


class TerminalCount(Model):
    """``[sweep.terminals]``: the scenario's first ``count`` terminals, uniform in a range."""

    count: Annotated[tuple[int, int], number_pair(1, 1_000_000, integer=True)] = Field(
        description="How many, uniform in count[0]..count[1] (a number: always that)."
    )


_GRID = 'a table of "dotted.path" = [values] (a non-empty array per path)'


@allowing(_GRID)
def _grid(value: Any) -> dict[str, tuple[Any, ...]]:
    allowed = _GRID
    if not isinstance(value, dict):
        raise fail(allowed)
    for key, values in value.items():
        if not isinstance(values, list) or not values:
            raise fail(allowed, loc=(key,), value=values)
        if any(isinstance(v, dict | list) for v in values):
            raise fail("an array of plain values (numbers, strings, booleans)", loc=(key,))
    return {k: tuple(v) for k, v in value.items()}


class SweepConfig(Model):
    """``[sweep]``: the unknowns a sweep draws, all optional; each sample draws them all, with
    seeds recorded so a sample repeats (:mod:`lifeline.sweep`)."""

    description: str = Field("", description="What the sweep asks, in words.")
    gateways: SiteLoss | None = Field(None, description="Gateways lost for the whole window.")
    pops: SiteLoss | None = Field(None, description="PoPs lost for the whole window.")
    regions: tuple[RegionLoss, ...] = Field(
        (), description="Regions whose gateways and PoPs are all lost, each with a probability."
    )
    satellite_failure: FailureFraction | None = Field(
        None, description="A random share of all satellites fails."
    )
    isl_failure: FailureFraction | None = Field(
        None, description="A random share of all laser links fails."
    )
    terminals: TerminalCount | None = Field(
        None, description="Keep the scenario's first n terminals."
    )
    rain: RainDraw | None = Field(None, description="Rain over a circle for the whole window.")
    jammer: JammerDraw | None = Field(None, description="One downlink jammer at a random place.")
    grid: Annotated[dict[str, tuple[Any, ...]], PlainValidator(_grid)] = Field(
        default_factory=dict,
        description='A plain grid over any scenario field: "dotted.path" = [values] '
        '("network.isl" = [true, false], "terminals[0].alt_m" = [...]); each grid point gets '
        "every random draw (common random numbers).",
    )

    @model_validator(mode="after")
    def _check(self) -> SweepConfig:
        seen = [r.name for r in self.regions]
        for i, region in enumerate(seen):
            if region in seen[:i]:
                raise fail("a unique region name", loc=("regions", i, "name"), value=region)
        return self
