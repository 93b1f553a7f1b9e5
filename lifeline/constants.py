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

#: Largest SGP4 catalog number [-]: five digits, or Alpha-5 with a letter (I and O excluded) as
#: the first character, A0000 = 100000 .. Z9999 = 339999, the range ``sgp4init`` takes
#: (references.md#sgp4). Every satellite of a Walker shell needs its own number, so this is also
#: the largest shell.
MAX_CATALOG_NUMBER = 339_999

#: Altitude range of a ground site [m]: below the lowest dry land (Dead Sea shore, -430 m) to
#: above the highest summit (8,849 m), rounded out (an assumption).
SITE_ALT_M_RANGE = (-500.0, 9000.0)

# Radio defaults: the user downlink budget of a scenario's [radio] table, used by the link
# models in lifeline.links.budget and by the scenario schema in lifeline.config.radio.

#: User downlink carrier [GHz]: the middle of the filed 10.7–12.7 GHz Ku band
#: (references.md#rf-bands).
USER_DOWNLINK_FREQ_GHZ = 11.7

#: User uplink carrier [GHz]: the middle of the filed 14.0–14.5 GHz band
#: (references.md#rf-bands).
USER_UPLINK_FREQ_GHZ = 14.25

#: User channel width [MHz]: 240 MHz per OFDM channel (Humphreys et al., IEEE TAES 2023;
#: references.md#downlink-waveform).
USER_CHANNEL_BANDWIDTH_MHZ = 240.0

#: Roll-off of the channel [-]: 0.1 as in del Portillo et al.'s budgets
#: (references.md#del-portillo-budget), so the symbol rate is bandwidth / 1.1.
ROLL_OFF = 0.1

#: User terminal receive aperture [m] (filing, references.md#terminal-antenna).
TERMINAL_APERTURE_M = 0.48

#: Aperture efficiency [-] of the user terminal: 0.60, computed from del Portillo et al.'s 0.7 m,
#: 37.7 dBi user terminal at 13.5 GHz (references.md#terminal-antenna). Estimate.
TERMINAL_APERTURE_EFFICIENCY = 0.60

#: User terminal system noise temperature [K], del Portillo et al.
#: (references.md#terminal-antenna). Estimate.
TERMINAL_SYSTEM_TEMPERATURE_K = 362.9

#: Satellite user-downlink EIRP density at the beam centre [dBW/MHz]: del Portillo et al.'s
#: 36.7 dBW per 250 MHz (12.7 dBW/MHz) at a 1,684 km slant range
#: (references.md#del-portillo-budget), scaled to the same power flux density on the ground at
#: the 550 km shell's 812 km slant range at 40° elevation (references.md#min-elevation):
#: 12.66 − 20·log10(1684 / 812) = 6.33 dBW/MHz. Estimate: the filings' EIRP is not public
#: (references.md#user-beams).
SAT_EIRP_DENSITY_DBW_PER_MHZ = 6.33

#: Implementation loss [dB] (modem, pointing, polarisation) and the target link margin [dB]:
#: 1 dB each, the pylink convention (references.md#implementation-margin).
IMPLEMENTATION_LOSS_DB = 1.0
LINK_MARGIN_DB = 1.0

#: Exponent n of the phased-array scan loss cos(θ)^n: 1 for the projected aperture alone
#: (Mailloux, Phased Array Antenna Handbook, 2nd ed., 2005, §1.1;
#: references.md#terminal-antenna).
SCAN_LOSS_EXPONENT = 1.0


#: Largest rain rate [mm/h] a rain event may give: the top of the attenuation tables' grid
#: (lifeline.links.atmosphere.RAIN_RATE_GRID_MM_H).
MAX_RAIN_RATE_MM_H = 250.0

#: User uplink channel [MHz]: 8 × 62.5 MHz in 14.0–14.5 GHz, a single terminal taking a whole
#: channel when available (references.md#uplink-channels).
USER_UPLINK_CHANNEL_MHZ = 62.5

#: The satellite's Ku receive G/T at the beam peak [dB/K]. Calibrated, not measured: the lowest
#: value at which a standard-actuated kit at the reference geometry, in a cell loaded as the
#: default, gets the median of the European Ookla upload medians, 18.0 Mbit/s
#: (references.md#measured-throughput; lifeline.links.calibrate.uplink_g_over_t_db_k, which a
#: test re-runs). It is an effective figure: it lumps into the budget whatever limits a
#: terminal's upload in practice (its transmit duty cycle of 10–14 %, references.md#terminal-eirp,
#: and the uplink scheduler), so a physical G/T would be higher.
SAT_UPLINK_G_OVER_T_DB_K = -13.9

#: Other subscribers active in a cell's beam at once [users] when a scenario gives no
#: ``[radio] cell_load``. Calibrated (lifeline.links.calibrate): one standard-actuated kit alone
#: in its beam at the reference geometry gets 575.4 Mbit/s; the median of the Ookla medians of
#: European countries in Q4 2021 and Q2 2022 is 122.2 Mbit/s (references.md#measured-throughput,
#: references.md#cell-load); sharing the beam fairly with n others leaves 575.4 / (1 + n), so
#: n = 575.4 / 122.2 − 1 = 3.71.
DEFAULT_CELL_LOAD = 3.71

#: Half-power width of a satellite's Ku receive beam [deg], for an uplink jammer's roll-off.
#: Assumption: a beam about one 16 km cell wide seen from 550 km (1.7°), rounded up.
SAT_BEAMWIDTH_DEG = 2.0
