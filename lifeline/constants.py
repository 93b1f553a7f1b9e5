"""Physical constants and network defaults used across lifeline, each with its source.

Sources are listed in docs/references.md under the anchor each comment cites.
"""

#: Speed of light in vacuum [km/s]. SI definition (references.md#physical-constants).
C_KM_S = 299_792.458

#: WGS84 semi-major axis [km] and flattening. NIMA TR8350.2 (references.md#wgs84).
WGS84_A_KM = 6378.137
WGS84_F = 1.0 / 298.257223563

#: Earth's gravitational parameter [km³/s²]. NIMA TR8350.2 (WGS84 GM; references.md#wgs84).
GM_EARTH_KM3_S2 = 398600.4418

#: Second zonal harmonic J2 = −√5·C̄20 with C̄20 = −0.484165371736e-3 (EGM96, NIMA TR8350.2).
J2_EARTH = 1.0826266835e-3

#: Lowest altitude a laser ISL's straight path may pass [km]: Hypatia's rule (rays stay above
#: 80 km, giving 5,017 km for the 550 km shell; references.md#isl-range, references.md#hypatia).
ISL_MIN_GRAZING_ALTITUDE_KM = 80.0

#: IUGG mean Earth radius [km], used for great-circle (haversine) distances
#: (references.md#physical-constants).
EARTH_MEAN_RADIUS_KM = 6371.0088

#: Group index of standard single-mode fibre at 1550 nm (Corning SMF-28;
#: references.md#fibre-group-index).
FIBER_GROUP_INDEX = 1.4682

#: Gateway → PoP fibre route length over great-circle distance: 1.3, what Bozkurt et al. find
#: possible over existing conduits (the Internet's paths at large take ×2.1), since Starlink's
#: backhaul is leased for the purpose and measured gateway → PoP delays are a few ms
#: (references.md#fibre-stretch, references.md#gateway-pop-backhaul).
FIBER_ROUTE_STRETCH = 1.3

#: Starlink's global re-planning interval [s] (Mohan et al., WWW 2024;
#: references.md#reconfiguration-interval).
SCHEDULING_SLOT_S = 15.0

#: Minimum elevation of user and gateway beams, Gen1 after the 2021 order [deg]
#: (SAT-MOD-20200417-00037; FCC 21-48; references.md#min-elevation).
MIN_ELEVATION_DEG = 25.0
