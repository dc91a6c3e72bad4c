"""Formula injection (OWASP "CSV injection"): a label, note or source stored as a formula comes
out of every CSV and XLSX export as text (a single quote in front), while numbers stay numbers."""

from __future__ import annotations

import csv
import io
from types import SimpleNamespace

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from ascc.app import create_app
from ascc.cli.main import app as cli
from ascc.config import Settings
from ascc.db.engine import make_engine
from ascc.db.uow import unit_of_work
from ascc.indices import store as index_store
from ascc.kit import spreadsheet
from ascc.monitoring import loader
from ascc.monitoring.models import Indicator
from ascc.registry.models import Partner
from ascc.wiring import session_factory
from tests.monitoring.conftest import DATA, PLAIN_HEADER, run_import, write

FORMULA = '=HYPERLINK("http://x","y")'
SOURCE = "@SUM(1+1)"
CODE = "TEST.GROWTH"
runner = CliRunner()


def test_the_rule():
    for bad in (FORMULA, "+1+2", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "-", "=", "+A1", "-cmd|' /C calc'!A0"):
        assert spreadsheet.cell(bad) == "'" + bad
    for fine in ("-3.2", "+2", "-1e-5", "3.5", "-0.0", "", "text", "'=already quoted", " =x", "a=b", "_T"):
        assert spreadsheet.cell(fine) == fine
    assert spreadsheet.cell(-1.5) == -1.5 and spreadsheet.cell(None) is None and spreadsheet.cell(7) == 7
    table = pd.DataFrame({"uName": [FORMULA, "Indonesia"], "Score": [-1.5, 2.0]})
    out = spreadsheet.frame(table)
    assert out["uName"].tolist() == ["'" + FORMULA, "Indonesia"] and out["Score"].tolist() == [-1.5, 2.0]
    assert table["uName"][0] == FORMULA  # the build's own table is not changed
    stored = 'uCode,uName,x\nIDN,"=HYPERLINK(""http://x"",""y"")",-3.2\n'
    assert list(csv.reader(io.StringIO(spreadsheet.csv_text(stored)))) == [
        ["uCode", "uName", "x"],
        ["IDN", "'" + FORMULA, "-3.2"],
    ]
    assert spreadsheet.csv_text("a,b\n1,-2\n") == "a,b\n1,-2\n"


def test_index_results_csv():
    row = SimpleNamespace(
        unit_code="IDN",
        unit_name=FORMULA,
        year=2022,
        code="-Index",
        level=1,
        score=-3.2,
        rank=1,
        rank_low=None,
        rank_high=None,
    )
    stored = SimpleNamespace(
        results=[row], record=SimpleNamespace(sha256="a"), run=SimpleNamespace(data_sha256="b")
    )
    (out,) = csv.DictReader(io.StringIO(index_store.results_csv(stored)))
    assert (out["uName"], out["Code"], out["Score"]) == ("'" + FORMULA, "'-Index", "-3.2")


@pytest.fixture(scope="module")
def url(mon_url, tmp_path_factory):
    """An indicator whose name is a formula and that may be negative, an approved value of -3.2
    with a formula as its note and source, a partner named with a formula."""
    engine = make_engine(mon_url)
    with unit_of_work(session_factory(engine)) as session:
        rec = next(r for r in loader.indicator_records(DATA) if r["code"] == "SP.POP.TOTL")
        session.add(Indicator(**{**rec, "code": CODE, "name_en": FORMULA, "unit": "annual % growth"}))
        partner = session.scalars(select(Partner).order_by(Partner.id)).first()
        partner.name_en = FORMULA
    engine.dispose()
    text = (
        PLAIN_HEADER
        + f'{CODE},IDN,2020,-3.2,annual % growth,{SOURCE},"{FORMULA.replace(chr(34), chr(34) * 2)}"\n'
    )
    report = run_import(mon_url, write(tmp_path_factory.mktemp("inj"), "v.csv", text), approval="approved")
    assert report.ok, [str(p) for p in report.problems]
    return mon_url


@pytest.fixture(scope="module")
def client(url):
    with TestClient(create_app(Settings(database_url=url))) as c:
        yield c


def _rows(text: str) -> list[dict[str, str]]:
    # SDMX files name the indicator by its SDMX id (TEST_GROWTH), the others by its code
    return [r for r in csv.DictReader(io.StringIO(text)) if {CODE, CODE.replace(".", "_")} & set(r.values())]


def _assert_sdmx(text: str) -> None:
    (row,) = _rows(text)
    assert row["COMMENT_OBS"] == "'" + FORMULA and row["DATA_SOURCE"] == "'" + SOURCE
    assert row["OBS_VALUE"] == "-3.2"


def test_sdmx_csv_api_download(client):
    for params in ({"format": "csv"}, {"format": "sdmx-csv"}):
        r = client.get(f"/sdmx/data/DF_ASCC_IND/IDN._Z.{CODE}...", params=params)
        assert r.status_code == 200, r.text
        _assert_sdmx(r.text)


def test_plain_csv_page_download(client):
    r = client.get(f"/indicators/{CODE}/data.csv")
    assert r.status_code == 200, r.text
    (row,) = _rows(r.text)
    assert (row["note"], row["source_id"], row["value"]) == ("'" + FORMULA, "'" + SOURCE, "-3.2")


def test_xlsx_template(client):
    r = client.get("/submissions/template.xlsx")
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.content))["indicators"]
    (row,) = [row for row in sheet.iter_rows(values_only=True) if row[0] == CODE]
    assert row[1] == "'" + FORMULA  # a text cell, not a formula
    assert all(cell.data_type != "f" for line in sheet.iter_rows() for cell in line)


def test_cli_indicators_export(url, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", url)
    out = tmp_path / "out.csv"
    res = runner.invoke(cli, ["indicators", "export", "--indicator", CODE, "-o", str(out)])
    assert res.exit_code == 0, res.output
    _assert_sdmx(out.read_text(encoding="utf-8"))


def test_cli_registry_export_csv(url, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", url)
    res = runner.invoke(cli, ["export", "-f", "csv", "-o", str(tmp_path)])
    assert res.exit_code == 0, res.output
    names = [r["name_en"] for r in csv.DictReader(io.StringIO((tmp_path / "partners.csv").read_text()))]
    assert "'" + FORMULA in names and FORMULA not in names
