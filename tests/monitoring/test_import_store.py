"""Storing imports: all or nothing, dry run, idempotent re-import, revisions kept, one audit entry per
batch, the XLSX and subnational templates."""

from __future__ import annotations

from openpyxl import Workbook
from sqlalchemy import func, select

from ascc.audit.models import AuditEntry
from ascc.db import version as data_version
from ascc.monitoring import stored as store
from tests.monitoring.conftest import DF, PLAIN_HEADER, SDMX_HEADER, query, run_import, write


def _audit(session):
    entries = session.scalar(select(func.count()).select_from(AuditEntry))
    return entries, data_version.read(session, data_version.ALL)


def _obs(session, **kw):
    return store.observations(session, **kw)


def test_one_bad_row_means_nothing_is_stored(mon_url, tmp_path):
    good = "".join(
        f"SL.UEM.TOTL.ZS,MYS,{y},3.{y % 10},% of total labor force,WDI,\n" for y in range(2000, 2020)
    )
    path = write(tmp_path, "a.csv", PLAIN_HEADER + good + "SL.UEM.TOTL.ZS,MYS,2020,101,,WDI,\n")
    report = run_import(mon_url, path)
    assert [(p.line, p.column) for p in report.problems] == [(22, "value")]
    assert query(mon_url, _obs, indicator="SL.UEM.TOTL.ZS", member_state="MYS") == []


def test_dry_run_import_reimport_and_revision(mon_url, tmp_path):
    rows = "SP.POP.TOTL,IDN,2019,270000000,persons,WDI,\nSP.POP.TOTL,IDN,2020,273523621,persons,WDI,\n"
    path = write(tmp_path, "pop.csv", PLAIN_HEADER + rows + "SP.POP.TOTL,IDN,2021,276000000,persons,WDI,\n")
    before = query(mon_url, _audit)

    dry = run_import(mon_url, path, dry_run=True)
    assert (dry.ok, dry.rows, dry.inserted, dry.revised, dry.unchanged) == (True, 3, 3, 0, 0)
    assert query(mon_url, _obs, indicator="SP.POP.TOTL") == [] and query(mon_url, _audit) == before

    first = run_import(mon_url, path)
    assert (first.inserted, first.revised, first.unchanged) == (3, 0, 0) and first.batch_id
    entries, version = query(mon_url, _audit)
    assert (entries, version) == (before[0] + 1, before[1] + 1)  # one audit entry, one bump per batch
    stored = query(mon_url, _obs, indicator="SP.POP.TOTL")
    assert [(o.period, o.value, o.revision, o.approval, o.obs_status) for o in stored] == [
        ("2019", 270000000.0, 1, "draft", "final"),
        ("2020", 273523621.0, 1, "draft", "final"),
        ("2021", 276000000.0, 1, "draft", "final"),
    ]

    again = run_import(mon_url, path)
    assert (again.inserted, again.revised, again.unchanged, again.batch_id) == (0, 0, 3, None)
    assert query(mon_url, _audit) == (entries, version)
    assert len(query(mon_url, store.list_batches)) == 1

    changed = write(
        tmp_path, "pop2.csv", PLAIN_HEADER + rows + "SP.POP.TOTL,IDN,2021,276400000,persons,WDI,\n"
    )
    rev = run_import(mon_url, changed)
    assert (rev.inserted, rev.revised, rev.unchanged) == (0, 1, 2)
    history = query(mon_url, store.history, indicator="SP.POP.TOTL", member_state="IDN", period="2021")
    assert [(o.revision, o.value, o.is_current) for o in history] == [
        (1, 276000000.0, False),
        (2, 276400000.0, True),
    ]
    assert history[0].batch_id == first.batch_id and history[1].batch_id == rev.batch_id
    current = query(mon_url, _obs, indicator="SP.POP.TOTL")
    assert [o.value for o in current] == [270000000.0, 273523621.0, 276400000.0]
    assert len(query(mon_url, _obs, indicator="SP.POP.TOTL", current=False)) == 4

    # the first file again is a change back: a third revision, the history is never rewritten
    back = run_import(mon_url, path)
    assert (back.inserted, back.revised, back.unchanged) == (0, 1, 2)
    history = query(mon_url, store.history, indicator="SP.POP.TOTL", member_state="IDN", period="2021")
    assert [(o.revision, o.value, o.is_current) for o in history] == [
        (1, 276000000.0, False),
        (2, 276400000.0, False),
        (3, 276000000.0, True),
    ]


def test_status_note_and_missing_value_with_a_note(mon_url, tmp_path):
    text = PLAIN_HEADER + (
        "WPP.POP.1524,VNM,2019,15000000,persons,WPP2019,estimate\n"
        "WPP.POP.1524,VNM,2025,15500000,persons,WPP2019,projection (medium variant)\n"
        "WPP.POP.1524,VNM,2026,,persons,WPP2019,not yet published\n"
    )
    assert run_import(mon_url, write(tmp_path, "wpp.csv", text), approval="approved").ok
    got = query(mon_url, _obs, indicator="WPP.POP.1524")
    assert [(o.period, o.value, o.obs_status, o.note, o.approval) for o in got] == [
        ("2019", 15000000.0, "final", "estimate", "approved"),
        ("2025", 15500000.0, "provisional", "projection (medium variant)", "approved"),
        ("2026", None, "final", "not yet published", "approved"),
    ]


def test_disaggregation_by_sex_within_tolerance(mon_url, tmp_path):
    text = SDMX_HEADER + "".join(
        f"{DF},KHM,VC_DSR_MORT,2016,{v},P,persons,{sex},_T,_T,\n"
        for sex, v in (("F", 10), ("M", 20.1), ("_T", 30))
    )
    report = run_import(mon_url, write(tmp_path, "sex.csv", text))
    assert report.ok and report.inserted == 3, [str(p) for p in report.problems]
    got = query(mon_url, _obs, indicator="VC_DSR_MORT", member_state="KHM")
    assert [(o.sex, o.value, o.obs_status) for o in got] == [
        ("F", 10.0, "provisional"),
        ("M", 20.1, "provisional"),
        ("_T", 30.0, "provisional"),
    ]


def test_subnational_plain_template(mon_url, tmp_path):
    header = "series_code,country_iso3,region_scheme,region_code,period,value,unit,source_id,note\n"
    good = (
        header
        + "BPS.GINI,IDN,ISO3166-2,ID-AC,2015,0.33,ratio (0-1),BPS,\nGDL.SHDI,IDN,GDL,IDNr101,2015,0.7,,,\n"
    )
    assert run_import(mon_url, write(tmp_path, "sub.csv", good)).inserted == 2
    got = query(mon_url, _obs, national=False, member_state="IDN", period_from="2015", period_to="2015")
    assert [(o.indicator_code, o.area_code) for o in got] == [("BPS.GINI", "ID-AC"), ("GDL.SHDI", "IDNr101")]
    bad = header + "BPS.GINI,IDN,GDL,ID-JB,2015,0.4,,BPS,\n"
    report = run_import(mon_url, write(tmp_path, "sub2.csv", bad))
    assert [(p.line, p.column, p.reason) for p in report.problems] == [
        (2, "region_scheme", "area 'ID-JB' is a ISO3166-2 code, not GDL")
    ]


def test_xlsx_template(mon_url, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["series_code", "country_iso3", "period", "value", "unit", "source_id", "note"])
    ws.append(["SL.UEM.TOTL.ZS", "THA", 2020, 1.1, "% of total labor force", "WDI", None])
    ws.append(["SL.UEM.TOTL.ZS", "THA", 2021, 0.9, None, "WDI", "from the workbook"])
    path = tmp_path / "template.xlsx"
    wb.save(path)
    first = run_import(mon_url, path)
    assert (first.format, first.inserted) == ("xlsx", 2), [str(p) for p in first.problems]
    assert run_import(mon_url, path).unchanged == 2
    got = query(mon_url, _obs, indicator="SL.UEM.TOTL.ZS", member_state="THA")
    assert [(o.period, o.value, o.note) for o in got] == [
        ("2020", 1.1, None),
        ("2021", 0.9, "from the workbook"),
    ]

    ws.append(["SL.UEM.TOTL.ZS", "THA", 2022, "n/a", None, None, None])
    ws.append(["SL.UEM.TOTL.ZS", "THA", 2023, 1, None, None, None, "stray"])
    wb.save(path)
    report = run_import(mon_url, path)
    assert [str(p) for p in report.problems] == ["template.xlsx:row 5: cells beyond the 7 header columns"]
    ws.delete_rows(5)
    wb.save(path)
    report = run_import(mon_url, path)
    assert [str(p) for p in report.problems] == ["template.xlsx:row 4 [value]: not a number: 'n/a'"]


def test_bom_crlf_and_blank_lines(mon_url, tmp_path):
    text = "\ufeff" + PLAIN_HEADER.replace("\n", "\r\n") + "SP.POP.TOTL,LAO,2020,7300000,persons,WDI,\r\n\r\n"
    text += "SP.POP.TOTL,LAO,2021,7400000,persons,WDI,\r\n"
    report = run_import(mon_url, write(tmp_path, "bom.csv", text))
    assert (report.ok, report.inserted) == (True, 2), [str(p) for p in report.problems]
    bad = text + "SP.POP.TOTL,LAO,20x2,1,,,\r\n"
    assert [(p.line, p.column) for p in run_import(mon_url, write(tmp_path, "bom2.csv", bad)).problems] == [
        (5, "period")
    ]
    assert [o.value for o in query(mon_url, _obs, indicator="SP.POP.TOTL", member_state="LAO")] == [
        7300000.0,
        7400000.0,
    ]


def test_large_batch_keeps_every_index(mon_url, tmp_path):
    """A batch larger than the table goes in with the secondary indexes rebuilt after it (SQLite)."""
    from sqlalchemy import inspect

    from ascc.db.engine import make_engine

    states = ["BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "TLS", "VNM"]
    lines = [
        f"{DF},{ms},SE.PRM.ENRR,{y},{100 + (y % 7)},A,% gross,_T,{age},{urb},"
        for ms in states
        for age in ("_T", "Y6T11", "Y12T14", "Y_GE15")
        for urb in ("_T", "U", "R")
        for y in range(1950, 2050)
    ]
    engine = make_engine(mon_url)
    before = {i["name"] for i in inspect(engine).get_indexes("observations")}
    report = run_import(mon_url, write(tmp_path, "big.csv", SDMX_HEADER + "\n".join(lines) + "\n"))
    assert (report.ok, report.inserted) == (True, 13_200), [str(p) for p in report.problems[:3]]
    assert {i["name"] for i in inspect(engine).get_indexes("observations")} == before
    engine.dispose()
    got = query(mon_url, _obs, indicator="SE.PRM.ENRR", member_state="VNM", period_from="2049")
    assert [(o.age, o.urbanisation, o.value) for o in got][:2] == [
        ("Y12T14", "R", 105.0),
        ("Y12T14", "U", 105.0),
    ]
    assert (
        run_import(mon_url, write(tmp_path, "big.csv", SDMX_HEADER + "\n".join(lines) + "\n")).unchanged
        == 13_200
    )
