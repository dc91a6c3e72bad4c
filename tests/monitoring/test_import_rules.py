"""Every bad-input rule: the report names file, line, column and reason, and nothing is written."""

from __future__ import annotations

import pytest

from ascc.monitoring import stored
from tests.monitoring.conftest import DF, PLAIN_HEADER, SDMX_HEADER, query, run_import, write

OK_ROW = "SP.POP.TOTL,IDN,2020,273523621,persons,WDI,\n"


def sdmx(*rows: str) -> str:
    return SDMX_HEADER + "".join(f"{DF},{r}\n" for r in rows)


CASES = {
    "not UTF-8": (
        "a.csv",
        PLAIN_HEADER.encode() + OK_ROW.encode() + b"SP.POP.TOTL,IDN,2021,1,persons,WDI,caf\xe9\n",
        [(3, None, f"not UTF-8 at byte offset {len(PLAIN_HEADER + OK_ROW) + 38}: e9")],
    ),
    "missing column": (
        "a.csv",
        "series_code,country_iso3,period,unit\nSP.POP.TOTL,IDN,2020,persons\n",
        [(1, "value", "required column is missing")],
    ),
    "extra column": (
        "a.csv",
        PLAIN_HEADER.rstrip("\n") + ",colour\n" + OK_ROW.rstrip("\n") + ",red\n",
        [(1, "colour", "unknown column")],
    ),
    "repeated column": (
        "a.csv",
        "series_code,country_iso3,period,value,value\nSP.POP.TOTL,IDN,2020,1,1\n",
        [(1, "value", "appears twice")],
    ),
    "field count": (
        "a.csv",
        PLAIN_HEADER + OK_ROW + "SP.POP.TOTL,IDN,2021,1,persons,WDI,,x\n" + "SP.POP.TOTL,IDN,2022\n",
        [(3, None, "8 fields, the header has 7"), (4, None, "3 fields, the header has 7")],
    ),
    "duplicate key": (
        "a.csv",
        PLAIN_HEADER + OK_ROW + "SP.POP.TOTL,IDN,2021,1,persons,WDI,\n" + OK_ROW,
        [(4, None, "duplicate key: the same observation as line 2")],
    ),
    "unknown codes": (
        "a.csv",
        sdmx(
            "IDN,NO.SUCH,2020,1,A,,_T,_T,_T,",
            "XXX,SP.POP.TOTL,2020,1,A,,_T,_T,_T,",
            "IDN,GDL.SHDI,2020,0.5,A,,_T,_T,_T,ID-ZZ",
            "IDN,SP.POP.TOTL,2020,1,A,,X,_T,_T,",
        ),
        [
            (2, "INDICATOR", "unknown indicator 'NO.SUCH'"),
            (3, "REF_AREA", "unknown member state 'XXX'"),
            (4, "SUBNATIONAL", "unknown area 'ID-ZZ'"),
            (5, "SEX", "unknown code 'X'"),
        ],
    ),
    # the SDMX id of a dotted code names the same indicator: one key, written both ways
    "duplicate key by SDMX id": (
        "a.csv",
        sdmx(
            "IDN,SP.POP.TOTL,2020,1,A,,_T,_T,_T,",
            "IDN,SP_POP_TOTL,2020,1,A,,_T,_T,_T,",
            "IDN,SP_POP,2020,1,A,,_T,_T,_T,",
        ),
        [
            (3, None, "duplicate key: the same observation as line 2"),
            (4, "INDICATOR", "unknown indicator 'SP_POP'"),
        ],
    ),
    "area of another member state": (
        "a.csv",
        sdmx("PHL,GDL.SHDI,2010,0.6,A,,_T,_T,_T,IDNr101"),
        [(2, "SUBNATIONAL", "area 'IDNr101' is in IDN, not PHL")],
    ),
    "non-numeric": (
        "a.csv",
        PLAIN_HEADER + 'SP.POP.TOTL,IDN,2020,"1,5",persons,WDI,\nSP.POP.TOTL,IDN,2021,inf,,WDI,\n',
        [(2, "value", "not a number: '1,5'"), (3, "value", "not a finite number")],
    ),
    "empty value without a note": (
        "a.csv",
        PLAIN_HEADER + "SP.POP.TOTL,IDN,2020,,persons,WDI,\n",
        [(2, "value", "the value is empty")],
    ),
    "huge cell": (
        "a.csv",
        PLAIN_HEADER + "SP.POP.TOTL,IDN,2020,1,persons,WDI," + "x" * 5000 + "\n",
        [(2, "note", "cell of 5,000 characters")],
    ),
    "impossible periods": (
        "a.csv",
        PLAIN_HEADER
        + "SP.POP.TOTL,IDN,2020-13,1,,,\nSP.POP.TOTL,IDN,1800,1,,,\n"
        + "SP.POP.TOTL,IDN,2999,1,,,\nSP.POP.TOTL,IDN,,1,,,\n",
        [
            (2, "period", "impossible period '2020-13'"),
            (3, "period", "'1800'"),
            (4, "period", "'2999'"),
            (5, "period", "required value is empty"),
        ],
    ),
    "ranges": (
        "a.csv",
        PLAIN_HEADER
        + "SL.UEM.TOTL.ZS,IDN,2020,120,,,\nSP.POP.TOTL,IDN,2020,-5,,,\n"
        + "SE.PRM.ENRR,IDN,2020,105,,,\n",
        [(2, "value", "120 is outside 0–100"), (3, "value", "-5 is outside 0–inf")],
    ),
    "subnational range": (
        "a.csv",
        sdmx("IDN,GDL.SHDI,2010,1.5,A,,_T,_T,_T,IDNr101"),
        [(2, "OBS_VALUE", "1.5 is outside 0–1")],
    ),
    "unit": (
        "a.csv",
        PLAIN_HEADER + "SP.POP.TOTL,IDN,2020,1,%,WDI,\n",
        [
            (
                2,
                "unit",
                "unknown unit '%' for SP.POP.TOTL, whose unit is 'persons'; accepted: 'persons', 'PERSONS'",
            )
        ],
    ),
    "female + male = total": (
        "a.csv",
        sdmx(
            "IDN,VC_DSR_MORT,2015,10,A,,F,_T,_T,",
            "IDN,VC_DSR_MORT,2015,10,A,,M,_T,_T,",
            "IDN,VC_DSR_MORT,2015,30,A,,_T,_T,_T,",
        ),
        [(4, "OBS_VALUE", "female 10 + male 10 = 20, not the total 30")],
    ),
    "status": (
        "a.csv",
        sdmx("IDN,SP.POP.TOTL,2020,1,Z,,_T,_T,_T,"),
        [(2, "OBS_STATUS", "unknown status 'Z'")],
    ),
    "dataflow": (
        "a.csv",
        SDMX_HEADER + "ESTAT:DF_OTHER(1.0),IDN,SP.POP.TOTL,2020,1,A,,_T,_T,_T,\n",
        [(2, "DATAFLOW", "is not ASEAN:DF_ASCC_IND(1.0)")],
    ),
    "delete action": (
        "a.csv",
        "STRUCTURE,STRUCTURE_ID,ACTION,REF_AREA,INDICATOR,TIME_PERIOD,OBS_VALUE\n"
        f"dataflow,{DF},D,IDN,SP.POP.TOTL,2020,1\n",
        [(2, "ACTION", "no such observation to delete")],
    ),
    "empty file": ("a.csv", "", [(1, None, "no header row")]),
    "header only": ("a.csv", PLAIN_HEADER, [(None, None, "no observations")]),
    "not a workbook": (
        "a.xlsx",
        b"PK\x03\x04 this is no zip",
        [(None, None, "not a readable XLSX workbook")],
    ),
    "not XML": ("a.xml", "<GenericData><unclosed></GenericData>", [(1, None, "not well-formed XML")]),
    "not a data message": ("a.xml", "<Structure/>", [(1, None, "is not an SDMX-ML 2.1 data message")]),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_input_is_reported_and_nothing_written(mon_url, tmp_path, case):
    name, content, expected = CASES[case]
    path = write(tmp_path, name, content)
    report = run_import(mon_url, path)
    problems = report.problems
    assert len(problems) == len(expected), [str(p) for p in problems]
    for p, (line, column, reason) in zip(problems, expected, strict=True):
        assert p.file == name and p.line == line and p.column == column, str(p)
        assert reason in p.reason, str(p)
        assert str(p).startswith(f"{name}:")
    assert query(mon_url, stored.counts)["revisions"] == 0


def test_every_problem_of_a_file_is_listed(mon_url, tmp_path):
    text = (
        PLAIN_HEADER
        + OK_ROW
        + "NO.SUCH,IDN,2020,1,,,\nSP.POP.TOTL,XXX,2020,abc,,,\nSP.POP.TOTL,IDN,1066,1,,,\n"
    )
    report = run_import(mon_url, write(tmp_path, "many.csv", text), dry_run=True)
    assert [(p.line, p.column) for p in report.problems] == [
        (3, "series_code"),
        (4, "country_iso3"),
        (4, "value"),
        (5, "period"),
    ]
    assert report.inserted == 0 and query(mon_url, stored.counts)["revisions"] == 0


def test_quoted_line_breaks_keep_the_line_numbers(mon_url, tmp_path):
    text = (
        PLAIN_HEADER
        + 'SP.POP.TOTL,IDN,2020,1,persons,WDI,"a note\nover two lines"\nSP.POP.TOTL,IDN,2021,x,,,\n'
    )
    report = run_import(mon_url, write(tmp_path, "q.csv", text))
    assert [(p.line, p.column) for p in report.problems] == [(4, "value")]
