"""The multithreaded Arrow reader and the careful reader give the same rows, lines and problems."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from ascc.monitoring.imports import files, importer, reading
from tests.monitoring.conftest import DF, PLAIN_HEADER, SDMX_HEADER

CAT = importer.Catalogue(
    indicators={"SP.POP.TOTL": ("persons", "national"), "SL.UEM.TOTL.ZS": ("% of labour force", "national")},
    member_states={"IDN", "PHL"},
    areas={},
)
ROWS = [
    "SP.POP.TOTL,IDN,2020,273523621,persons,WDI,",
    'SL.UEM.TOTL.ZS,PHL,2021,2.5,,"WDI, 2024","a note, quoted"',
    "SP.POP.TOTL,PHL,2019,,,,not collected",
]
PLAIN = PLAIN_HEADER + "".join(r + "\n" for r in ROWS)
WELL_FORMED = {
    "plain": PLAIN.encode(),
    "crlf": PLAIN.replace("\n", "\r\n").encode(),
    "bom": b"\xef\xbb\xbf" + PLAIN.encode(),
    "no final line break": PLAIN.rstrip("\n").encode(),
    "sdmx": (
        SDMX_HEADER + f"{DF},IDN,SP.POP.TOTL,2020,1,A,,_T,_T,_T,\n{DF},PHL,SP.POP.TOTL,2020,2,A,,F,_T,_T,\n"
    ).encode(),
}
CAREFUL_ONLY = {
    "blank line": (PLAIN_HEADER + ROWS[0] + "\n\n" + ROWS[1] + "\n").encode(),
    "quoted line break": (
        PLAIN_HEADER + ROWS[0] + '\nSP.POP.TOTL,PHL,2019,,,,"two\nlines"\n' + ROWS[1] + "\n"
    ).encode(),
    "lone carriage return": (PLAIN_HEADER + ROWS[0] + "\r" + ROWS[1] + "\n").encode(),
    "field count": (PLAIN_HEADER + ROWS[0] + ",x\n" + ROWS[1] + "\n").encode(),
    "unknown code": (PLAIN_HEADER + ROWS[0].replace("IDN", "XXX") + "\n").encode(),
    "typed-out infinity": (PLAIN_HEADER + ROWS[0].replace("273523621", "inf") + "\n").encode(),
    "typed-out nan": (PLAIN_HEADER + ROWS[0].replace("273523621", "nan") + "\n").encode(),
    "not a number": (PLAIN_HEADER + ROWS[0].replace("273523621", "12a") + "\n").encode(),
}


def _parse(data: bytes, name: str) -> importer.Parsed:
    suffix = ".csv"
    return files.parse(Path("x" + suffix), CAT, data=data, name=name, today=pd.Timestamp("2026-12-01").date())


def _careful(monkeypatch, data: bytes, name: str) -> importer.Parsed:
    with monkeypatch.context() as m:
        m.setattr(reading, "fast_read", lambda *a: None)
        return _parse(data, name)


def _same(a: importer.Parsed, b: importer.Parsed) -> None:
    assert [str(p) for p in a.problems] == [str(p) for p in b.problems]
    assert (a.frame is None) == (b.frame is None)
    if a.frame is not None:
        pd.testing.assert_frame_equal(a.frame.astype(object), b.frame.astype(object))


def _body_start(data: bytes) -> int:
    return data.find(b"\n") + 1


@pytest.mark.parametrize("case", WELL_FORMED, ids=list(WELL_FORMED))
def test_a_well_formed_file_takes_the_fast_path_with_the_same_result(monkeypatch, case):
    data = WELL_FORMED[case]
    header = next(csv.reader([data[: _body_start(data)].decode("utf-8-sig").strip()]))
    value_col = "OBS_VALUE" if "OBS_VALUE" in header else "value"
    fmt = files.detect_format(Path("x.csv"), data)
    known = importer.known_codes(fmt, CAT, pd.Timestamp("2026-12-01").date())
    fast = reading.fast_read(data, _body_start(data), header, value_col, known)
    assert fast is not None
    assert list(fast[1]) == list(range(2, len(fast[0]) + 2))
    parsed = _parse(data, case)
    assert parsed.rows == len(fast[0]) and not parsed.problems
    _same(parsed, _careful(monkeypatch, data, case))


@pytest.mark.parametrize("case", CAREFUL_ONLY, ids=list(CAREFUL_ONLY))
def test_anything_unusual_goes_to_the_careful_reader(monkeypatch, case):
    data = CAREFUL_ONLY[case]
    header = next(csv.reader([data[: _body_start(data)].decode().strip()]))
    known = importer.known_codes("csv", CAT, pd.Timestamp("2026-12-01").date())
    assert reading.fast_read(data, _body_start(data), header, "value", known) is None
    _same(_parse(data, case), _careful(monkeypatch, data, case))
