"""Pair selection for ``lifeline hypatia``: which (src, dst) ground stations a ``--pairs`` text
names (:func:`resolve_pairs`). Names and ids resolve through
:class:`lifeline.config.pairs.StationIndex`, as a scenario's ``pairs`` do; this module only
splits the text.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lifeline.config.pairs import StationIndex, all_pairs
from lifeline.pairmode.network import PairSelectionError


def resolve_pairs(selection: str | Sequence[str] | None, names: Sequence[str]) -> np.ndarray:
    """Turn a pair selection into (P, 2) ground-station ids.

    Parameters
    ----------
    selection : "all", None, a comma-separated string or a list of "A-B" items
        ``"all"`` (or None): every unordered pair (i < j). An item is ``"SRC-DST"`` or
        ``"SRC->DST"`` with names or ids; names may themselves contain '-' (the split that
        gives two known names is used). A name written ``"Local-(English)"`` in Hypatia's city
        list also answers to either part (``"Moscow"`` for ``"Moskva-(Moscow)"``).
    names : sequence of str
        Ground-station names (index = id).

    Raises
    ------
    PairSelectionError
        Unknown names, a station paired with itself, or an ambiguous item.
    """
    stations = StationIndex(names, hypatia_aliases=True)
    if selection is None or (isinstance(selection, str) and selection.strip() == "all"):
        return all_pairs(len(stations))
    items = selection.split(",") if isinstance(selection, str) else list(selection)

    out = []
    for item in items:
        text = item.strip()
        if not text:
            continue
        sep = "->" if "->" in text else "-"
        parts = text.split(sep)
        found = []
        for cut in range(1, len(parts)):
            a = stations.lookup(sep.join(parts[:cut]))
            b = stations.lookup(sep.join(parts[cut:]))
            if a is not None and b is not None:
                found.append((a, b))
        if len(found) != 1:
            hint = stations.listing(5)
            why = "ambiguous" if found else "unknown ground station"
            raise PairSelectionError(
                text, f"'SRC-DST' with two ground-station names or ids ({why}; names: {hint})"
            )
        a, b = found[0]
        if a == b:
            raise PairSelectionError(text, "two different ground stations")
        out.append((a, b))
    if not out:
        raise PairSelectionError(str(selection), "'all' or at least one 'SRC-DST' pair")
    return np.array(out, dtype=np.int64)
