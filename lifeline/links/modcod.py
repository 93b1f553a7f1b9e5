"""From SINR to MODCOD, spectral efficiency and capacity (DVB-S2 / DVB-S2X).

Starlink's downlink is OFDM, not DVB-S2 (Humphreys et al., IEEE TAES 2023); the DVB-S2X table is
the stand-in for spectral efficiency versus Es/N0 (references.md#dvb-s2-modcod).
The table ships as ``lifeline/data/dvbs2x-modcod.csv`` (sources in ``PROVENANCE.md``).

Adaptive coding and modulation picks, for each SINR, the most efficient MODCOD whose ideal
Es/N0 threshold plus the link margin is at or below the SINR. Below the lowest threshold the link
is down (reason ``low_sinr``). Capacity = channel bandwidth × bits per symbol / (1 + roll-off):
the symbol rate of a channel with roll-off α is B / (1 + α), as in del Portillo et al.'s budgets
(256APSK 3/4: 5.900855 / 1.1 × 500 MHz = 2,682 Mbit/s; references.md#del-portillo-budget).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lifeline.constants import LINK_MARGIN_DB, ROLL_OFF
from lifeline.errors import InputFileError

#: The packaged MODCOD table.
MODCOD_TABLE_FILE = "dvbs2x-modcod.csv"
_COLUMNS = ("modcod", "modulation", "code_rate", "es_n0_db", "bits_per_symbol", "standard")


@dataclass(frozen=True)
class ModcodTable:
    """MODCODs sorted by ascending Es/N0 threshold.

    Attributes
    ----------
    names : tuple of str, (K,)
        E.g. ``"16APSK 3/4"``.
    es_n0_db : ndarray (K,)
        Ideal Es/N0 threshold [dB] (AWGN, quasi-error-free).
    bits_per_symbol : ndarray (K,)
        Spectral efficiency [bit/symbol].
    best : ndarray of int (K,)
        ``best[k]``: the most efficient MODCOD among the first k + 1 (some DVB-S2X MODCODs beat
        DVB-S2 ones with a higher threshold, e.g. 16APSK 1/2-L over QPSK 8/9).
    """

    names: tuple[str, ...]
    es_n0_db: NDArray[np.float64]
    bits_per_symbol: NDArray[np.float64]
    best: NDArray[np.intp]

    @classmethod
    def from_rows(
        cls, names: list[str], es_n0_db: ArrayLike, bits_per_symbol: ArrayLike
    ) -> ModcodTable:
        """Build from unsorted rows."""
        thr = np.asarray(es_n0_db, dtype=float)
        eff = np.asarray(bits_per_symbol, dtype=float)
        order = np.argsort(thr, kind="stable")
        thr, eff = thr[order], eff[order]
        # Index of the running maximum of efficiency: where a row sets a new maximum, carried on.
        is_max = eff == np.maximum.accumulate(eff)
        best = np.maximum.accumulate(np.where(is_max, np.arange(len(eff)), 0))
        return cls(tuple(names[i] for i in order), thr, eff, best.astype(np.intp))

    def __len__(self) -> int:
        return len(self.names)


def load_modcod_table(path: str | None = None) -> ModcodTable:
    """Read a MODCOD CSV (default: the packaged DVB-S2/S2X table).

    Lines starting with ``#`` are comments; the header must name the columns ``modcod``,
    ``modulation``, ``code_rate``, ``es_n0_db``, ``bits_per_symbol``, ``standard``.

    Raises
    ------
    InputFileError
        Naming the file, line and value when a row is malformed.
    """
    if path is None:
        text = resources.files("lifeline.data").joinpath(MODCOD_TABLE_FILE).read_text("utf-8")
        source = MODCOD_TABLE_FILE
    else:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        source = path
    lines = [(i + 1, ln) for i, ln in enumerate(text.splitlines()) if ln and ln[0] != "#"]
    if not lines:
        raise InputFileError(source, 0, "", "a header line and at least one MODCOD")
    header_no, header = lines[0]
    if tuple(next(csv.reader([header]))) != _COLUMNS:
        raise InputFileError(source, header_no, header, "header " + ",".join(_COLUMNS))
    names, thr, eff = [], [], []
    for line_no, row in zip(
        (n for n, _ in lines[1:]), csv.reader(ln for _, ln in lines[1:]), strict=True
    ):
        if len(row) != len(_COLUMNS):
            raise InputFileError(source, line_no, ",".join(row), f"{len(_COLUMNS)} fields")
        for column, allowed in (("es_n0_db", "a number"), ("bits_per_symbol", "a number > 0")):
            text_value = row[_COLUMNS.index(column)]
            try:
                value = float(text_value)
            except ValueError:
                value = float("nan")
            if not np.isfinite(value) or (column == "bits_per_symbol" and value <= 0):
                raise InputFileError(source, line_no, text_value, allowed, column=column)
        names.append(row[0])
        thr.append(float(row[3]))
        eff.append(float(row[4]))
    if not names:
        raise InputFileError(source, 0, "", "at least one MODCOD row")
    return ModcodTable.from_rows(names, thr, eff)


def select_modcod(
    table: ModcodTable, sinr_db: ArrayLike, margin_db: ArrayLike = LINK_MARGIN_DB
) -> NDArray[np.intp]:
    """Index into ``table`` of the most efficient MODCOD that closes the link, −1 when none.

    A MODCOD closes the link when its Es/N0 threshold ≤ SINR − margin. NaN SINR gives −1.

    Parameters
    ----------
    sinr_db : SINR [dB], any shape (taken as Es/(N0 + I0): the noise bandwidth is the symbol
        rate).
    margin_db : required margin above the threshold [dB] (default: 1 dB,
        references.md#implementation-margin).

    References
    ----------
    ETSI EN 302 307-1 V1.4.1 Table 13; ETSI EN 302 307-2 V1.1.1 Tables 20a–c.
    """
    x = np.asarray(sinr_db, dtype=float) - np.asarray(margin_db, dtype=float)
    k = np.searchsorted(table.es_n0_db, np.where(np.isnan(x), -np.inf, x), side="right") - 1
    return np.where(k >= 0, table.best[np.maximum(k, 0)], -1).astype(np.intp)


def spectral_efficiency_bps_hz(
    table: ModcodTable, modcod: ArrayLike, roll_off: ArrayLike = ROLL_OFF
) -> NDArray[np.float64]:
    """Spectral efficiency [bit/s/Hz] = bits per symbol / (1 + roll-off); 0 where modcod = −1."""
    m = np.asarray(modcod, dtype=np.intp)
    bits = np.where(m >= 0, table.bits_per_symbol[np.maximum(m, 0)], 0.0)
    return bits / (1.0 + np.asarray(roll_off, dtype=float))


def capacity_mbps(
    table: ModcodTable,
    modcod: ArrayLike,
    bandwidth_mhz: ArrayLike,
    roll_off: ArrayLike = ROLL_OFF,
) -> NDArray[np.float64]:
    """Channel capacity [Mbit/s] = bandwidth [MHz] × spectral efficiency; 0 when the link is down.

    References
    ----------
    del Portillo et al., Acta Astronautica 159 (2019) (references.md#del-portillo-budget):
    674.3 Mbit/s for 16APSK 3/4
    on 250 MHz, 2,682.1 Mbit/s for 256APSK 3/4 on 500 MHz, both with roll-off 0.1.
    """
    return np.asarray(bandwidth_mhz, dtype=float) * spectral_efficiency_bps_hz(
        table, modcod, roll_off
    )
