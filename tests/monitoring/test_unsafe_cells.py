"""Observation files whose text cells hold NUL or an invisible bidirectional control are refused
with the file, line and column of each such cell, and nothing is stored (observations go in with
Core inserts, past the ORM's check of every text column), on both backends."""

from __future__ import annotations

import openpyxl
import pytest
import sqlalchemy as sa

from ascc.db.engine import make_engine
from tests.monitoring.conftest import PLAIN_HEADER, run_import, write


def observations(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as conn:
        n = conn.execute(sa.text("SELECT count(*) FROM observations")).scalar()
    engine.dispose()
    return n


@pytest.mark.parametrize(
    ("bad", "what"),
    [("BPS\u202egnp", "U+202E RIGHT-TO-LEFT OVERRIDE"), ("BPS\x00", "U+0000"), ("\u2066BPS\u2069", "U+2066")],
)
def test_a_csv_cell_with_nul_or_a_bidi_control_is_refused_by_line_and_column(mon_url, tmp_path, bad, what):
    before = observations(mon_url)
    rows = f"SP.POP.TOTL,IDN,2020,273500000,persons,BPS,\nSP.POP.TOTL,IDN,2021,276400000,persons,{bad},\n"
    report = run_import(mon_url, write(tmp_path, "idn.csv", PLAIN_HEADER + rows))
    assert [(p.line, p.column) for p in report.problems] == [(3, "source_id")], report.problems
    assert what in report.problems[0].reason
    assert observations(mon_url) == before


def test_an_xlsx_cell_with_a_bidi_control_is_refused(mon_url, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(PLAIN_HEADER.strip().split(","))
    ws.append(["SP.POP.TOTL", "IDN", "2020", 273500000, "persons", "BPS", "revised\u202e"])
    path = tmp_path / "idn.xlsx"
    wb.save(path)
    before = observations(mon_url)
    report = run_import(mon_url, path)
    assert [(p.line, p.column) for p in report.problems] == [(2, "note")], report.problems
    assert observations(mon_url) == before
