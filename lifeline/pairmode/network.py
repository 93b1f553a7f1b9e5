"""The pair-mode network: satellites, laser links and ground stations (:class:`PairNetwork`),
from a Hypatia folder (:meth:`PairNetwork.from_hypatia`) or from a scenario through the engine's
own inputs (:func:`scenario_network`: :func:`lifeline.engine.build_constellation`,
:func:`lifeline.engine.scenario_isl_edges`), what a run builds once from it (:func:`prepare`) and
the satellites' positions in the stations' frame (:func:`positions_km`).

Node numbering is Hypatia's: satellites ``0..S-1``, ground station ``g`` is node ``S + g``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.spatial import cKDTree
from sgp4.api import Satrec

from lifeline.config import Scenario
from lifeline.engine.inputs import build_constellation, scenario_isl_edges
from lifeline.errors import LifelineError
from lifeline.geo import geodetic_to_ecef_km
from lifeline.io.hypatia import HypatiaNetwork
from lifeline.links.gsl import SiteSet
from lifeline.orbits.libastro import (
    libastro_gmst_rad,
    libastro_satrecs,
    libastro_site_km,
    rotate_to_earth_fixed,
)
from lifeline.orbits.propagate import in_altitude_band, propagate_ecef, propagate_teme
from lifeline.time import sgp4_jd

Conventions = Literal["hypatia", "lifeline"]


#: Shortest link length [km]: 0 is "no edge" in SciPy's sparse graphs.
TINY_KM = np.finfo(float).tiny


class PairSelectionError(LifelineError):
    """A requested pair names an unknown ground station.

    Attributes
    ----------
    value : str
        The bad pair text or name.
    allowed : str
    """

    def __init__(self, value: str, allowed: str) -> None:
        self.value = value
        self.allowed = allowed
        super().__init__(f"pairs: {value!r}: {allowed}")


@dataclass(frozen=True)
class PairNetwork:
    """Everything fixed for a pair-mode run.

    Attributes
    ----------
    satrecs : list of sgp4.api.Satrec
        Satellites (node ids 0..S-1).
    isl_edges : ndarray of int, shape (E, 2)
    gs_names : list of str
    gs_lat_deg, gs_lon_deg, gs_elevation_m : ndarray, shape (G,)
    max_gsl_km : float or ndarray, shape (G,)
        GSL length limit [km] (Hypatia's rule: range only), per station or for all; may be
        inf with the ``"lifeline"`` conventions when an elevation mask bounds the links.
    max_isl_km : float
        ISLs longer than this are not usable [km] (inf: no limit).
    epoch_utc : numpy.datetime64
        Time 0.
    conventions : {"hypatia", "lifeline"}
        ``"hypatia"``: pyephem/libastro distances (:mod:`lifeline.orbits.libastro`);
        ``"lifeline"``: SGP4 + GMST 1982 with UT1, WGS84 stations (as the terminal engine).
    min_elevation_deg : float, ndarray of shape (G,), or None
        Optional elevation mask [deg] besides the range rule, geodetic as in the terminal
        engine (``"lifeline"`` conventions only).
    isl_min_grazing_altitude_km : float or None
        ISLs whose straight path dips below this altitude are not usable [km]
        (:func:`lifeline.links.isl.isl_geometry`); None: length rule only.
    altitude_band_km : (float, float) or None
        Satellites outside this band (|r| − WGS84 a, as :class:`Ephemeris`) are left out
        [km]; None: only SGP4 failures are.
    """

    satrecs: list[Satrec]
    isl_edges: np.ndarray
    gs_names: list[str]
    gs_lat_deg: np.ndarray
    gs_lon_deg: np.ndarray
    gs_elevation_m: np.ndarray
    max_gsl_km: float
    max_isl_km: float
    epoch_utc: np.datetime64
    conventions: Conventions = "hypatia"
    min_elevation_deg: float | np.ndarray | None = None
    isl_min_grazing_altitude_km: float | None = None
    altitude_band_km: tuple[float, float] | None = None

    @property
    def n_sats(self) -> int:
        return len(self.satrecs)

    @classmethod
    def from_hypatia(cls, network: HypatiaNetwork) -> PairNetwork:
        """A pair network from a Hypatia directory, in Hypatia's conventions."""
        gs = network.ground_stations
        return cls(
            satrecs=list(network.tles.satrecs),
            isl_edges=network.isls,
            gs_names=list(gs.names),
            gs_lat_deg=gs.lat_deg,
            gs_lon_deg=gs.lon_deg,
            gs_elevation_m=gs.elevation_m,
            max_gsl_km=network.max_gsl_length_m / 1e3,
            max_isl_km=network.max_isl_length_m / 1e3,
            epoch_utc=network.tles.epoch_utc,
            conventions="hypatia",
        )


@dataclass
class PairInputs:
    """What :func:`prepare` builds once: propagation records and the static station set."""

    network: PairNetwork
    satrecs: list[Satrec]
    site_km: np.ndarray
    site_tree: cKDTree
    isl_edges: np.ndarray
    max_gsl_km: np.ndarray
    sites: SiteSet | None


def prepare(network: PairNetwork) -> PairInputs:
    """Build what stays the same over a run (station tree, rounded elements)."""
    lat, lon, elev = network.gs_lat_deg, network.gs_lon_deg, network.gs_elevation_m
    if network.conventions == "hypatia":
        satrecs = libastro_satrecs(network.satrecs)
        site_km = libastro_site_km(lat, lon, elev)
    else:
        satrecs = list(network.satrecs)
        site_km = geodetic_to_ecef_km(lat, lon, elev)
    site_km = np.asarray(site_km, dtype=float).reshape(-1, 3)
    edges = np.asarray(network.isl_edges, dtype=np.int64).reshape(-1, 2)
    n_gs = len(site_km)
    max_gsl_km = np.broadcast_to(np.asarray(network.max_gsl_km, dtype=float), (n_gs,)).copy()
    sites = None
    if network.conventions == "lifeline" and network.min_elevation_deg is not None:
        # The terminal engine's visibility: exact geodetic elevation against each mask.
        sites = SiteSet.prepare(site_km, lat, lon, network.min_elevation_deg)
    elif not np.isfinite(max_gsl_km).all():
        raise PairSelectionError(
            f"max_gsl_km = {network.max_gsl_km}", "finite when there is no elevation mask"
        )
    return PairInputs(network, satrecs, site_km, cKDTree(site_km), edges, max_gsl_km, sites)


def positions_km(prepared: PairInputs, times_utc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Satellite positions in the stations' frame at the given instants.

    Returns
    -------
    r_km : ndarray, shape (T, S, 3)
    valid : ndarray of bool, shape (T, S)
        False where SGP4 failed.
    """
    times = np.asarray(times_utc).astype("datetime64[ns]")
    if prepared.network.conventions == "hypatia":
        r_teme_km, _, error = propagate_teme(prepared.satrecs, times)
        theta = libastro_gmst_rad(*sgp4_jd(times))
        r_km = rotate_to_earth_fixed(r_teme_km, theta)
    else:
        r_km, _, error = propagate_ecef(prepared.satrecs, times)
    valid = (error == 0) & np.isfinite(r_km).all(axis=-1)
    band = prepared.network.altitude_band_km
    if band is not None:
        valid &= in_altitude_band(r_km, error, band)
    return r_km, valid


def scenario_network(scenario: Scenario) -> PairNetwork:
    """A scenario's terminals as pair-mode ground stations, in the terminal engine's conventions.

    Satellites and ISLs are those of the terminal engine
    (:func:`lifeline.engine.build_constellation`, :func:`lifeline.engine.scenario_isl_edges`:
    ``network.isl_file`` or +Grid; none when ``network.isl`` is false, so a path is one
    satellite, bent pipe). A terminal reaches a satellite when it is above its elevation mask
    and, if a range rule is set (``terminals[i].max_range_km``, else
    ``network.gsl_max_range_km``), within that range; ISLs obey ``network.isl_max_range_km`` and
    the grazing-altitude rule. Time 0 is ``time.start_utc``.
    """
    net = scenario.network
    start = np.datetime64(scenario.time.start_utc.replace(tzinfo=None), "ns")
    constellation = build_constellation(scenario)
    edges = scenario_isl_edges(scenario, constellation, start)
    terminals = scenario.terminals
    default_range = np.inf if net.gsl_max_range_km is None else net.gsl_max_range_km
    return PairNetwork(
        satrecs=list(constellation.satrecs),
        isl_edges=edges,
        gs_names=[t.name for t in terminals],
        gs_lat_deg=np.array([t.lat_deg for t in terminals]),
        gs_lon_deg=np.array([t.lon_deg for t in terminals]),
        gs_elevation_m=np.array([t.alt_m for t in terminals]),
        max_gsl_km=np.array(
            [default_range if t.max_range_km is None else t.max_range_km for t in terminals]
        ),
        max_isl_km=np.inf if net.isl_max_range_km is None else net.isl_max_range_km,
        epoch_utc=start,
        conventions="lifeline",
        min_elevation_deg=np.array(
            [
                net.min_elevation_deg if t.min_elevation_deg is None else t.min_elevation_deg
                for t in terminals
            ]
        ),
        isl_min_grazing_altitude_km=net.isl_min_grazing_altitude_km,
        altitude_band_km=scenario.constellation.altitude_band_km,
    )
