"""Access delay: what the dish-to-PoP round trip costs beyond the speed of light.

A model that counts only propagation falls 25–35 ms short of every measured Starlink median:
RIPE Atlas probes in 21 countries see a median of about 40 ms from the dish to its first hop
(100.64.0.1, at the PoP), of which propagation is under 10 ms (Mohan et al., WWW 2024;
references.md#access-delay). The rest is the access link itself: uplink scheduling, framing,
queueing and processing in the dish, the satellite and the gateway. Its measured structure:

* a level that holds for a 15-s scheduling slot and steps at the slot boundary, when the
  global controller re-plans every terminal (Tanveer et al., CoNEXT 2023; Mohan et al., WWW
  2024; references.md#reconfiguration-interval);
* within a slot, samples fall in bands a few milliseconds apart (frame timing);
* a spread across slots that makes the RTT's inter-quartile range ~20 ms wide in 2022
  (Michel et al., IMC 2022: p25 ~40, median ~50, p75 ~60 ms, min 20 ms;
  references.md#measured-rtt), and much narrower after SpaceX's 2024 latency work.

The model, per terminal ``t``, slot ``k`` and step ``j`` within the slot::

    rtt_access_ms = median_ms + terminal_offset(t) + slot_offset(t, k) + band(t, k, j)

* ``terminal_offset``: normal, ``terminal_sd_ms``, clipped at ±2 sd (where and which PoP
  cluster a terminal uses);
* ``slot_offset``: truncated normal, ``slot_sd_ms``, on ``[slot_low_ms, slot_high_ms]``
  (longer above than below: queueing adds, nothing subtracts), shifted to a zero median;
* ``band``: one of ``n_bands`` values ``band_spacing_ms`` apart, centred on zero;
* plus ``boundary_spike_ms`` at the first step of a slot (default 0; see :class:`AccessProfile`).

Every draw is a hash of ``(seed, terminal key, slot number, step)``, not a stream, so any
chunk of a run, any resumed run and any order of evaluation give the same numbers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtr, ndtri

__all__ = [
    "ACCESS_2022",
    "ACCESS_2025",
    "ACCESS_PROFILES",
    "AccessProfile",
    "access_profile_for",
    "rtt_access_ms",
    "terminal_key",
]

#: Duration of one downlink frame [ms]: 750 frames/s (Humphreys et al., IEEE TAES 2023;
#: references.md#downlink-waveform).
FRAME_MS = 1000.0 / 750.0


@dataclass(frozen=True)
class AccessProfile:
    """Parameters of the access-delay model (see the module docstring).

    Attributes
    ----------
    name : str
    median_ms : float
        Median access delay over terminals and slots [ms].
    terminal_sd_ms : float
        Spread of the per-terminal level [ms] (clipped at ±2 sd).
    slot_sd_ms : float
        Spread of the per-slot level before truncation [ms].
    slot_low_ms, slot_high_ms : float
        Truncation of the per-slot offset [ms] (``slot_low_ms < 0 < slot_high_ms``).
    band_spacing_ms : float
        Distance between the within-slot bands [ms].
    n_bands : int
        Number of bands (1: none).
    boundary_spike_ms : float
        Added at the first step of every slot [ms]. Measured spikes at the 15-s boundaries
        (~140 ms at the start of a period, ~75 ms at its end; references.md#reconfiguration-
        interval) last well under a second, and lifeline samples at 1 s, so by default a
        sample does not carry them (0); a scenario at sub-second steps may set it.
    """

    name: str
    median_ms: float
    terminal_sd_ms: float
    slot_sd_ms: float
    slot_low_ms: float
    slot_high_ms: float
    band_spacing_ms: float
    n_bands: int
    boundary_spike_ms: float = 0.0

    def __post_init__(self) -> None:
        if not self.slot_low_ms < 0.0 < self.slot_high_ms:
            raise ValueError(
                f"slot_low_ms {self.slot_low_ms} < 0 < slot_high_ms {self.slot_high_ms} needed"
            )
        if self.n_bands < 1 or self.slot_sd_ms <= 0 or self.terminal_sd_ms < 0:
            raise ValueError(f"invalid access profile {self}")


#: Spring 2022 (until SpaceX's latency work of early 2024). Calibrated on two measurements:
#: the median on Mohan et al.'s RIPE Atlas dish-to-first-hop median of ~40 ms, < 10 ms of it
#: propagation (so ~30 ms of access; references.md#access-delay); the spread on the Belgian
#: 2022 inter-quartile range of ~20 ms (Michel et al.; references.md#measured-rtt), taken to
#: come from the access link (assumption: propagation moves by only a few ms within a slot's
#: geometry). The lower bound keeps the lowest RTT near the 20 ms minimum Michel et al.
#: measured; the upper one (assumption) keeps queueing spikes inside the slot model.
#: Checked on other measurements in docs/validation.md (Belgian median, Ookla 2021–2022).
ACCESS_2022 = AccessProfile(
    name="2022",
    median_ms=30.0,
    terminal_sd_ms=2.0,  # assumption: a few ms between terminals of one region
    slot_sd_ms=15.0,
    slot_low_ms=-10.0,
    slot_high_ms=36.0,
    band_spacing_ms=2 * FRAME_MS,  # assumption: bands two frames apart
    n_bands=3,  # assumption
)

#: From 2024 on (after SpaceX's latency work: US median 48.5 → 33 ms at peak in March 2024,
#: 25.7 ms in June 2025; references.md#measured-rtt). The median is calibrated on the June 2025
#: US median less the ~10 ms of propagation lifeline computes for a US bent-pipe terminal;
#: the spread and bounds are the 2022 ones scaled by the ratio of the medians (assumption).
#: Checked against SpaceX's "< 1 % of samples above 55 ms" in docs/validation.md.
ACCESS_2025 = AccessProfile(
    name="2025",
    median_ms=15.0,
    terminal_sd_ms=1.0,
    slot_sd_ms=7.5,
    slot_low_ms=-5.0,
    slot_high_ms=18.0,
    band_spacing_ms=2 * FRAME_MS,
    n_bands=3,
)

ACCESS_PROFILES = {p.name: p for p in (ACCESS_2022, ACCESS_2025)}

#: From this date a run takes :data:`ACCESS_2025` by default: SpaceX's latency update of
#: March 2024 reported the US median cut by a third over the month before
#: (references.md#measured-rtt).
ACCESS_2025_FROM = np.datetime64("2024-03-01T00:00:00", "ns")


def access_profile_for(start_utc: ArrayLike) -> AccessProfile:
    """The default profile for a run starting at ``start_utc`` (datetime64 or ISO string)."""
    start = np.datetime64(start_utc, "ns")
    return ACCESS_2025 if start >= ACCESS_2025_FROM else ACCESS_2022


def terminal_key(name: str) -> int:
    """A stable 63-bit key for a terminal name, so a terminal's draws do not change when
    other terminals are added or reordered."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "little") >> 1


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _mix(x: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """SplitMix64 finaliser (Steele, Lea, Flood, OOPSLA 2014): a bijective 64-bit mix."""
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _uniform(seed: int, *keys: ArrayLike) -> NDArray[np.float64]:
    """Uniform (0, 1) numbers, one per broadcast combination of the integer ``keys``."""
    with np.errstate(over="ignore"):
        x = _mix(np.asarray([seed], dtype=np.uint64) + _GOLDEN)
        for key in keys:
            x = _mix(x ^ (np.asarray(key).astype(np.uint64) + _GOLDEN))
    return ((x >> np.uint64(11)).astype(np.float64) + 0.5) / 2.0**53


def rtt_access_ms(
    profile: AccessProfile,
    terminal: ArrayLike,
    slot: ArrayLike,
    step_in_slot: ArrayLike,
    seed: int = 0,
) -> NDArray[np.float64]:
    """Access delay of each terminal at each step [ms].

    Parameters
    ----------
    profile : AccessProfile
    terminal : array_like of int, shape (N,)
        Terminal keys (:func:`terminal_key`), non-negative.
    slot : array_like of int, shape (T,)
        Scheduling slot number of each step (counted from any fixed origin, e.g. the run's
        start), non-negative.
    step_in_slot : array_like of int, shape (T,)
        Step number within its slot (0 at the slot's first step).
    seed : int
        Run seed, non-negative.

    Returns
    -------
    ndarray, shape (T, N)
        Round-trip access delay [ms], ``> 0``.

    References
    ----------
    references.md#access-delay (median), references.md#reconfiguration-interval (15-s slots),
    references.md#measured-rtt (spread); the parameters of :data:`ACCESS_2022` and
    :data:`ACCESS_2025` say which measurement each comes from.
    """
    p = profile
    terminal = np.asarray(terminal, dtype=np.int64)[None, :]
    slot = np.asarray(slot, dtype=np.int64)[:, None]
    step = np.asarray(step_in_slot, dtype=np.int64)[:, None]
    # Independent streams: 1 terminal level, 2 slot level, 3 band.
    z_terminal = np.clip(ndtri(_uniform(seed, 1, terminal)), -2.0, 2.0)
    lo, hi = ndtr(p.slot_low_ms / p.slot_sd_ms), ndtr(p.slot_high_ms / p.slot_sd_ms)
    u_slot = _uniform(seed, 2, terminal, slot)
    # Centred on its median, so ``median_ms`` stays the median whatever the truncation.
    slot_offset = p.slot_sd_ms * (ndtri(lo + (hi - lo) * u_slot) - ndtri((lo + hi) / 2.0))
    band = np.floor(_uniform(seed, 3, terminal, slot, step) * p.n_bands)
    band_offset = (band - (p.n_bands - 1) / 2.0) * p.band_spacing_ms
    spike = np.where(step == 0, p.boundary_spike_ms, 0.0)
    return p.median_ms + p.terminal_sd_ms * z_terminal + slot_offset + band_offset + spike
