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
from lifeline.config.fields import Model, Name, fail, names, number, number_pair
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
    """``[sweep.gateways]`` / ``[sweep.pops]``: which of these sites are lost.

    Attributes
    ----------
    among : tuple of str or None
        Candidate names (default: every site of that kind in the scenario).
    lost : (int, int) or None
        Number lost, uniform in ``lost[0]..lost[1]`` (inclusive), chosen without replacement.
    probability : float or None
        Instead of ``lost``: each candidate is lost independently with this probability.
    """

    among: Annotated[tuple[str, ...], names(distinct=True)] | None = None
    lost: Annotated[tuple[int, int], number_pair(0, 100_000, integer=True)] | None = None
    probability: Probability | None = None

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

    name: Name
    probability: Probability
    center_lat_deg: float | None = None
    center_lon_deg: float | None = None
    radius_km: float | None = None
    polygon_lat_deg: tuple[float, ...] | None = None
    polygon_lon_deg: tuple[float, ...] | None = None

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
    """``[sweep.satellite_failure]`` / ``[sweep.isl_failure]``: a failing fraction.

    Attributes
    ----------
    fraction : (float, float)
        Uniform in ``fraction[0]..fraction[1]`` (a single number: always that), in 0..1.
    """

    fraction: Annotated[tuple[float, float], number_pair(0, 1)]


class RainDraw(Model):
    """``[sweep.rain]``: whether it rains over a region for the whole window, and how hard.

    Attributes
    ----------
    lat_deg, lon_deg, radius_km : the region (a ``[[rain]]`` circle) [deg, deg, km].
    rate_mm_h : (float, float)
        Rain rate, uniform in ``rate_mm_h[0]..rate_mm_h[1]`` [mm/h] (a number: always that),
        within the attenuation table's (0, 250] mm/h.
    probability : float
        Chance that it rains at all in a sample (default 1).
    """

    lat_deg: Annotated[float, number(-90, 90)]
    lon_deg: Annotated[float, number(-180, 180)]
    radius_km: Annotated[float, number(1e-3, 20_000)]
    rate_mm_h: Annotated[tuple[float, float], number_pair(1e-3, MAX_RAIN_RATE_MM_H)]
    probability: Probability = 1.0


class JammerDraw(Model):
    """``[sweep.jammer]``: one ground jammer (a ``[[jammers]]`` table for the whole window) at
    a random place within ``radius_km`` of a point (uniform over the disc) with a random EIRP.

    Attributes
    ----------
    lat_deg, lon_deg : centre of the area it may stand in [deg]; radius_km : its radius [km]
        (0: always at the centre).
    eirp_dbw : (float, float)
        Uniform in ``eirp_dbw[0]..eirp_dbw[1]`` [dBW] (a number: always that).
    bandwidth_mhz, alt_m, extra_loss_db : as in ``[[jammers]]``
        (:class:`lifeline.config.radio.Jammer`).
    probability : float
        Chance that the jammer is there at all in a sample (default 1).
    """

    lat_deg: Annotated[float, number(-90, 90)]
    lon_deg: Annotated[float, number(-180, 180)]
    radius_km: Annotated[float, number(0, 2_000)] = 0.0
    eirp_dbw: Annotated[tuple[float, float], number_pair(-50, 100)]
    bandwidth_mhz: Annotated[float, number(1e-3, 10_000)]
    alt_m: Annotated[float, number(0, 1_000)] = 10.0
    extra_loss_db: Annotated[float, number(0, 300)] = 0.0
    probability: Probability = 1.0


class TerminalCount(Model):
    """``[sweep.terminals]``: the scenario's first ``count`` terminals, uniform in a range."""

    count: Annotated[tuple[int, int], number_pair(1, 1_000_000, integer=True)]


def _grid(value: Any) -> dict[str, tuple[Any, ...]]:
    allowed = 'a table of "dotted.path" = [values] (a non-empty array per path)'
    if not isinstance(value, dict):
        raise fail(allowed)
    for key, values in value.items():
        if not isinstance(values, list) or not values:
            raise fail(allowed, loc=(key,), value=values)
        if any(isinstance(v, dict | list) for v in values):
            raise fail("an array of plain values (numbers, strings, booleans)", loc=(key,))
    return {k: tuple(v) for k, v in value.items()}


class SweepConfig(Model):
    """The ``[sweep]`` table (see the module docstring)."""

    description: str = ""
    gateways: SiteLoss | None = None
    pops: SiteLoss | None = None
    regions: tuple[RegionLoss, ...] = ()
    satellite_failure: FailureFraction | None = None
    isl_failure: FailureFraction | None = None
    terminals: TerminalCount | None = None
    rain: RainDraw | None = None
    jammer: JammerDraw | None = None
    grid: Annotated[dict[str, tuple[Any, ...]], PlainValidator(_grid)] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> SweepConfig:
        seen = [r.name for r in self.regions]
        for i, region in enumerate(seen):
            if region in seen[:i]:
                raise fail("a unique region name", loc=("regions", i, "name"), value=region)
        return self
