"""Files that are not what they claim: a byte-order mark, Windows line ends, binary data, a
secret file named as input. Errors name the line and never echo more than a short, printable
excerpt (and nothing of a file holding NUL bytes, such as /proc/self/environ)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lifeline.errors import (
    EXCERPT_CHARS,
    VALUE_CHARS,
    InputFileError,
    ScenarioError,
    TLEError,
    excerpt,
)
from lifeline.io.tle import read_tle

# First record of lifeline/data/starlink-2022-08-17.tle (CelesTrak GP data, PROVENANCE.md).
RECORD = (
    "STARLINK-24\n"
    "1 44238U 19029D   22229.17555387  .00106534  00000+0  22460-2 0  9994\n"
    "2 44238  53.0031 183.2357 0002897 123.7131 236.4150 15.44417471179240\n"
)


def _write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "x.tle"
    path.write_bytes(data)
    return path


def test_leading_byte_order_mark_is_accepted(tmp_path):
    plain = read_tle(_write(tmp_path, RECORD.encode()))
    with_bom = read_tle(_write(tmp_path, b"\xef\xbb\xbf" + RECORD.encode()))
    assert with_bom.names == plain.names == ["STARLINK-24"]
    assert with_bom.catalog.tolist() == [44238]


def test_crlf_line_ends_are_accepted(tmp_path):
    tles = read_tle(_write(tmp_path, RECORD.replace("\n", "\r\n").encode()))
    assert tles.names == ["STARLINK-24"] and tles.catalog.tolist() == [44238]


def test_byte_order_mark_inside_the_file_is_named_with_its_line(tmp_path):
    data = (RECORD + RECORD.replace("STARLINK-24", "\ufeffSTARLINK-25")).encode()
    with pytest.raises(TLEError) as info:
        read_tle(_write(tmp_path, data))
    assert info.value.line == 4
    assert "column 1: a UTF-8 byte-order mark (EF BB BF) inside the file" in str(info.value)


def test_non_ascii_character_is_named_with_line_and_column(tmp_path):
    with pytest.raises(TLEError) as info:
        read_tle(_write(tmp_path, RECORD.replace("STARLINK-24", "STARLINK-2é").encode()))
    assert (info.value.line, "column 11: non-ASCII character U+00E9") == (
        1,
        str(info.value).split(": ", 1)[1].split(";")[0],
    )


def test_environment_file_is_not_echoed(tmp_path):
    # What /proc/self/environ holds: NAME=value pairs separated by NUL.
    secret = "SECRET_TOKEN=hunter2"
    path = _write(tmp_path, f"PATH=/usr/bin\x00{secret}\x00HOME=/root\x00".encode())
    with pytest.raises(TLEError) as info:
        read_tle(path)
    message = str(info.value)
    assert "hunter2" not in message and "PATH" not in message
    assert message == f"{path}:1: column 14: control character 0x00; a TLE file is ASCII text"


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="Linux /proc")
def test_proc_self_environ_as_a_tle_file():
    with pytest.raises(TLEError) as info:
        read_tle("/proc/self/environ")
    assert "=" not in str(info.value).replace("/proc/self/environ", "")


def test_long_line_is_quoted_short():
    line = "X" * 10_000
    text = str(ScenarioError("s.toml", "name", line, "a short name"))
    assert len(text) < VALUE_CHARS + 40 and text.endswith("…: a short name")
    text = str(InputFileError("sites.csv", 2, line, "a name", column="name"))
    assert len(text) < EXCERPT_CHARS + 40 and text.endswith("…: a name")


def test_escape_codes_are_quoted_escaped():
    text = str(InputFileError("sites.csv", 3, "\x1b[31mred\x1b[0m", "a name", column="name"))
    assert "\x1b" not in text and "\\x1b[31mred" in text


def test_binary_value_is_described_not_quoted():
    assert excerpt("a=1\x00b=2") == "<7 characters of binary data (NUL at column 4)>"
