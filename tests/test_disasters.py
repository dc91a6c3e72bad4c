"""Disaster events: import with validation and merging, idempotent re-import, API, pages, statistics."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ascc.app import create_app
from ascc.cli.main import app as cli
from ascc.config import Settings
from ascc.disasters.importer import read_events
from tests.conftest import ROOT, load

DATA = ROOT.parent / "shared" / "data" / "disaster_events.csv"
MEMBERS = {"BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "TLS", "VNM"}
HEADER = (
    "source_id,event_id,hazard_type,hazard_subtype,event_name,country_iso3,start_date,end_date,year,location,"
    "latitude,longitude,magnitude,magnitude_scale,alert_level,deaths,missing,injured,affected,houses_destroyed,"
    "houses_damaged,damage_value,damage_unit,source_url,glide"
)


def csv_file(tmp_path: Path, *rows: str, name: str = "events.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def row(
    feed="GDACS",
    rid="X-1",
    hazard="Flood",
    ms="PHL",
    start="2016-10-01",
    end="2016-10-05",
    deaths="",
    affected="",
    glide="",
    name="",
):
    return f"{feed},{rid},{hazard},,{name},{ms},{start},{end},2016,,,,,,,{deaths},,,{affected},,,,,,{glide}"


def test_every_problem_is_reported_with_line_and_column(tmp_path):
    path = csv_file(
        tmp_path,
        row(),
        row(rid="X-2", ms="AUS"),
        row(rid="X-3", start="2016-02-30"),
        row(rid="X-4", start="2016-10-05", end="2016-10-01"),
        row(rid="X-5", deaths="-3"),
        row(rid="X-6", hazard="Meteor"),
        row(rid="X-7", glide="FL-16-1-PHL"),
        row(rid="X-1"),
        row(rid="X-8", start="2099-01-01", end=""),
        row(rid="X-9", start="3/4/2016", end=""),
    )
    records, problems = read_events(path, member_states=MEMBERS, today=dt.date(2026, 11, 22))
    found = {(p.line, p.column) for p in problems}
    assert {
        (3, "country_iso3"),
        (4, "start_date"),
        (5, "end_date"),
        (6, "deaths"),
        (7, "hazard_type"),
        (8, "glide"),
        (9, "event_id"),
        (10, "start_date"),
        (11, "start_date"),
    } <= found
    assert "events.csv:3 [country_iso3]: 'AUS' is not an ASEAN member state" in [str(p) for p in problems]
    assert len(records) == 1


def test_unambiguous_slash_dates_are_read():
    from ascc.disasters.importer import _date

    assert _date("1/29/2005") == dt.date(2005, 1, 29)
    assert _date("29/1/2005") == dt.date(2005, 1, 29)
    with pytest.raises(ValueError):
        _date("3/4/2005")


def test_missing_columns_and_bad_encoding(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("source_id,event_id\nA,1\n")
    assert "is missing" in read_events(bad, member_states=MEMBERS)[1][0].reason
    latin = tmp_path / "latin.csv"
    latin.write_bytes(HEADER.encode() + b"\nGDACS,1,Flood,,Caf\xe9,PHL,2016-01-01,,,,,,,,,,,,,,,,,,\n")
    assert "UTF-8" in read_events(latin, member_states=MEMBERS)[1][0].reason


def test_import_merges_feeds_keeps_sources_and_is_idempotent(fresh_url, reference, tmp_path, monkeypatch):
    load(fresh_url, reference)
    monkeypatch.setenv("DATABASE_URL", fresh_url)
    path = csv_file(
        tmp_path,
        row(feed="GDACS", rid="FL-1", start="2016-10-01", end="2016-10-05"),
        row(
            feed="PHIL-DIS",
            rid="Flooding_2016-10-03",
            start="2016-10-03",
            end="2016-10-04",
            deaths="12",
            affected="40000",
            name="Habagat",
        ),
        row(feed="GDACS", rid="FL-2", start="2016-10-02", end="2016-10-03"),  # same feed: a distinct event
        row(
            feed="NOAA",
            rid="EQ-1",
            hazard="Earthquake",
            ms="IDN",
            start="2018-09-28",
            end="",
            deaths="4340",
            glide="EQ-2018-000157-IDN",
        ),
        row(
            feed="PHIL-DIS",
            rid="EQ-x",
            hazard="Earthquake",
            ms="IDN",
            start="2018-09-29",
            end="",
            glide="EQ-2018-000157-IDN",
            affected="206000",
        ),
    )
    runner = CliRunner()
    r = runner.invoke(cli, ["disasters", "import", str(path), "--dry-run"])
    assert r.exit_code == 0 and "would import 5 records" in r.output
    with TestClient(create_app(Settings(database_url=fresh_url))) as c:
        assert c.get("/api/v1/disasters/events").json()["total"] == 0
    r = runner.invoke(cli, ["disasters", "import", str(path)])
    assert r.exit_code == 0 and "3 new events, 2 merged" in r.output, r.output
    assert "5 unchanged" in runner.invoke(cli, ["disasters", "import", str(path)]).output
    with TestClient(create_app(Settings(database_url=fresh_url))) as c:
        events = c.get("/api/v1/disasters/events", params={"hazard": "FL"}).json()["items"]
        merged = next(e for e in events if e["name"] == "Habagat")
        assert (merged["start_date"], merged["end_date"], merged["deaths"]) == (
            "2016-10-01",
            "2016-10-05",
            12,
        )
        detail = c.get(f"/api/v1/disasters/events/{merged['id']}").json()
        assert sorted(s["feed"] for s in detail["sources"]) == ["GDACS", "PHIL-DIS"]
        quake = c.get("/api/v1/disasters/events", params={"hazard": "EQ"}).json()["items"][0]
        assert (quake["glide"], quake["deaths"], quake["affected"]) == ("EQ-2018-000157-IDN", 4340, 206000)
        stats = c.get("/api/v1/disasters/stats").json()
        assert stats["events"] == 3
        assert {r["key"]: r["events"] for r in stats["by_year"]} == {2016: 2, 2018: 1}
        assert {r["key"]: r["deaths"] for r in stats["by_hazard"]} == {"EQ": 4340, "FL": 12}
        for lang, word in (("en", "Disaster events"), ("id", "Kejadian bencana")):
            assert word in c.get("/disasters", params={"lang": lang, "member_state": "PHL"}).text
        assert "Habagat" in c.get(f"/disasters/{merged['id']}", params={"lang": "id"}).text
        assert "Statistik bencana" in c.get("/disasters/stats", params={"lang": "id"}).text
        assert c.get("/disasters/999999").status_code == 404
        assert c.get("/api/v1/disasters/events", params={"hazard": "ZZ"}).status_code == 422


def test_a_bad_file_imports_nothing(fresh_url, reference, tmp_path, monkeypatch):
    load(fresh_url, reference)
    monkeypatch.setenv("DATABASE_URL", fresh_url)
    good = csv_file(tmp_path, row(rid="ok-1"), name="good.csv")
    bad = csv_file(tmp_path, row(rid="ok-2"), row(rid="bad", affected="lots"), name="bad.csv")
    r = CliRunner().invoke(cli, ["disasters", "import", str(good), str(bad)])
    assert r.exit_code == 1 and "bad.csv:3 [affected]" in r.output and "nothing was imported" in r.output
    engine = sa.create_engine(fresh_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM disaster_events")).scalar() == 0
    engine.dispose()


@pytest.mark.skipif(not DATA.exists(), reason="../shared/data is not beside the repository")
def test_the_shared_feeds_load_cleanly():
    records, problems = read_events(DATA, member_states=MEMBERS)
    assert problems == [] and len(records) == 1180


def test_problems_name_the_files_own_lines_after_blank_lines_and_multi_line_cells(tmp_path):
    """A blank line or a quoted cell over two lines does not shift the line a later problem names."""
    path = csv_file(tmp_path, row(name='"Typhoon\nHaiyan"') + "\n", row(rid="X-2", ms="AUS"))
    records, problems = read_events(path, member_states=MEMBERS, today=dt.date(2026, 11, 22))
    assert [(p.line, p.column) for p in problems] == [(5, "country_iso3")]
    assert records[0].name == "Typhoon\nHaiyan"
