"""Pair selection: which (source, destination) stations pair mode connects.

The one place that turns station references (a name, a 0-based id, or for Hypatia's city list
either part of ``"Local-(English)"``) into ids and lists every unordered pair. A scenario's
``pairs`` (:class:`lifeline.config.Scenario`) and ``lifeline hypatia --pairs``
(:func:`lifeline.pairmode.resolve_pairs`) both resolve through it and differ only in how they
report a bad reference.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def all_pairs(n_stations: int) -> np.ndarray:
    """Every unordered pair of ``n_stations`` stations as (P, 2) ids with i < j, row-major."""
    i, j = np.triu_indices(n_stations, k=1)
    return np.stack([i, j], axis=1).astype(np.int64)


class StationIndex:
    """Look up stations by name or 0-based id.

    Parameters
    ----------
    names : sequence of str
        Station names (index = id).
    hypatia_aliases : bool
        Also answer to either part of a name written ``"Local-(English)"`` in Hypatia's city
        list (``"Moscow"`` for ``"Moskva-(Moscow)"``), where that part names one station only
        and is not itself a station's name.
    """

    def __init__(self, names: Sequence[str], hypatia_aliases: bool = False) -> None:
        self.names = list(names)
        self._index = {name: k for k, name in enumerate(self.names)}
        if hypatia_aliases:
            aliases: dict[str, list[int]] = {}
            for k, name in enumerate(self.names):
                if name.endswith(")") and "-(" in name:
                    local, _, other = name[:-1].partition("-(")
                    for alias in (local, other):
                        aliases.setdefault(alias, []).append(k)
            for alias, ks in aliases.items():
                if alias not in self._index and len(ks) == 1:
                    self._index[alias] = ks[0]

    def __len__(self) -> int:
        return len(self.names)

    def by_name(self, name: str) -> int | None:
        """The id of the station called ``name`` (or answering to it as an alias), or None."""
        return self._index.get(name)

    def by_id(self, station_id: int) -> int | None:
        """``station_id`` when it is a station's 0-based id, else None."""
        return station_id if 0 <= station_id < len(self.names) else None

    def lookup(self, token: str) -> int | None:
        """The id a typed token names: a name or alias first, else a string of digits."""
        token = token.strip()
        found = self.by_name(token)
        if found is None and token.isdigit():
            found = self.by_id(int(token))
        return found

    def listing(self, most: int) -> str:
        """The first ``most`` names, comma-separated, for an error message."""
        return ", ".join(self.names[:most]) + (", ..." if len(self.names) > most else "")
