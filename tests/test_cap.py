"""CAP 1.2 early warnings: parsing, validation with line numbers, current alerts, links to events."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ascc.app import create_app
from ascc.cli.main import app as cli
from ascc.config import Settings
from ascc.disasters.cap import read_cap
from ascc.kit import geo
from tests.conftest import load

STATES = {
    "PHL": ("PH", "Philippines", ["Filipina"]),
    "IDN": ("ID", "Indonesia", ["Indonesia"]),
    "VNM": ("VN", "Viet Nam", ["Vietnam"]),
}


def cap(
    identifier="PAGASA-2026-0001",
    *,
    msg_type="Alert",
    status="Actual",
    expires="2099-01-01T00:00:00+08:00",
    severity="Severe",
    geocode="PHL",
    references="",
    glide="",
    sent="2026-11-20T08:00:00+08:00",
    event="Tropical cyclone",
    headline="Typhoon warning signal no. 3",
    area=None,
    infos="",
) -> str:
    refs = f"<references>{references}</references>" if references else ""
    param = f"<parameter><valueName>GLIDE</valueName><value>{glide}</value></parameter>" if glide else ""
    ends = f"<expires>{expires}</expires>" if expires else ""
    area = area or (
        f"""<area><areaDesc>Eastern Samar, Philippines</areaDesc>
      <geocode><valueName>ISO3166-1</valueName><value>{geocode}</value></geocode></area>"""
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>{identifier}</identifier>
  <sender>pagasa.dost.gov.ph</sender>
  <sent>{sent}</sent>
  <status>{status}</status>
  <msgType>{msg_type}</msgType>
  <scope>Public</scope>
  {refs}
  <info>
    <category>Met</category>
    <event>{event}</event>
    <urgency>Immediate</urgency>
    <severity>{severity}</severity>
    <certainty>Likely</certainty>
    {ends}
    <headline>{headline}</headline>
    {param}
    {area}
  </info>{infos}
</alert>"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_valid_alert_is_read(tmp_path):
    alerts, problems = read_cap(write(tmp_path, "a.xml", cap()), member_states=STATES)
    assert problems == []
    (a,) = alerts
    # a tropical cyclone by its event's words (the Met category alone names no hazard)
    assert (a.identifier, a.severity, a.member_states, a.hazard) == (
        "PAGASA-2026-0001",
        "Severe",
        ["PHL"],
        "TC",
    )
    assert a.expires == dt.datetime(2099, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert a.language == "en-US" and a.offsets == {"sent": 480, "expires": 480}


def test_bad_alerts_name_line_and_element(tmp_path):
    broken = write(tmp_path, "broken.xml", "<alert><identifier>x</identifier>")
    assert "not well-formed XML" in str(read_cap(broken, member_states=STATES)[1][0])
    other = write(tmp_path, "rss.xml", "<rss version='2.0'/>")
    assert "not a CAP 1.2 alert" in str(read_cap(other, member_states=STATES)[1][0])
    bad = write(tmp_path, "bad.xml", cap(severity="Apocalyptic", expires="tomorrow"))
    alerts, problems = read_cap(bad, member_states=STATES)
    text = [str(p) for p in problems]
    assert alerts == []
    assert any(t.startswith("bad.xml:14 [severity]") and "Apocalyptic" in t for t in text), text
    assert any("[expires]" in t for t in text)
    # what only the official schema catches comes with the schema's own message and line
    unknown = write(
        tmp_path,
        "unknown.xml",
        cap().replace("<scope>Public</scope>", "<scope>Public</scope><colour>red</colour>"),
    )
    (problem,) = read_cap(unknown, member_states=STATES)[1]
    assert problem.line == 8 and "CAP 1.2 schema" in str(problem) and "colour" in str(problem)


def test_import_current_alerts_and_cancellation(fresh_url, reference, tmp_path, monkeypatch):
    load(fresh_url, reference)
    monkeypatch.setenv("DATABASE_URL", fresh_url)
    runner = CliRunner()
    files = [
        write(tmp_path, "1.xml", cap("A-1")),
        write(tmp_path, "2.xml", cap("A-2", status="Exercise")),
        write(tmp_path, "3.xml", cap("A-3", expires="2020-01-01T00:00:00+07:00")),
        write(tmp_path, "4.xml", cap("A-4")),
        write(
            tmp_path,
            "5.xml",
            cap("C-4", msg_type="Cancel", references="pagasa.dost.gov.ph,A-4,2026-11-20T08:00:00+08:00"),
        ),
    ]
    r = runner.invoke(cli, ["disasters", "import-cap", *map(str, files)])
    assert r.exit_code == 0 and "5 new" in r.output, r.output
    assert "5 unchanged" in runner.invoke(cli, ["disasters", "import-cap", *map(str, files)]).output
    bad = write(tmp_path, "bad.xml", cap("B-1", severity="Apocalyptic"))
    r = runner.invoke(cli, ["disasters", "import-cap", str(files[0]), str(bad)])
    assert r.exit_code == 1 and "nothing was imported" in r.output
    with TestClient(create_app(Settings(database_url=fresh_url))) as c:
        current = c.get("/api/v1/disasters/alerts", params={"current": "true"}).json()["items"]
        assert [a["identifier"] for a in current] == ["A-1"]  # not the exercise, the expired or the cancelled
        every = c.get("/api/v1/disasters/alerts").json()
        assert (every["total"], len(every["items"]), every["limit"], every["offset"]) == (5, 5, 100, 0)
        last = c.get("/api/v1/disasters/alerts", params={"limit": 2, "offset": 4}).json()
        assert last["total"] == 5 and last["items"] == every["items"][4:]
        r = c.get("/api/v1/disasters/alerts", params={"limit": 0})
        assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
        for lang, word in (("en", "Current alerts"), ("id", "Peringatan yang berlaku")):
            page = c.get("/disasters/alerts", params={"lang": lang})
            assert word in page.text and "Typhoon warning signal no. 3" in page.text


def test_hazard_from_the_events_words_not_the_category_alone(tmp_path):
    cases = {
        "Flood warning": "FL",
        "Peringatan dini banjir bandang": "FF",
        "Strong wind advisory": None,
        "Tsunami warning": "TS",
        "Heavy rain": "ST",
    }
    for event, hazard in cases.items():
        path = write(tmp_path, "h.xml", cap(event=event, headline=event))
        (alert,) = read_cap(path, member_states=STATES)[0]
        assert alert.hazard == hazard, event


@pytest.mark.skipif(geo.data_dir() is None, reason="needs the boundaries in ../shared/data")
def test_member_states_from_polygons_and_circles(tmp_path):
    jakarta = "<area><areaDesc>Zone 7</areaDesc><polygon>-6.3,106.7 -6.3,106.9 -6.1,106.9 -6.1,106.7 -6.3,106.7</polygon></area>"
    manila = "<area><areaDesc>Metro</areaDesc><circle>14.6,121.0 10</circle></area>"
    sydney = "<area><areaDesc>Coast</areaDesc><circle>-33.9,151.2 20</circle></area>"
    found = {}
    for name, area in (("jakarta", jakarta), ("manila", manila), ("sydney", sydney)):
        (alert,) = read_cap(write(tmp_path, f"{name}.xml", cap(area=area)), member_states=STATES)[0]
        found[name] = alert.member_states
    assert found == {"jakarta": ["IDN"], "manila": ["PHL"], "sydney": []}


def test_one_alert_its_languages_updates_outside_asean_and_the_default_expiry(
    fresh_url, reference, tmp_path, monkeypatch
):
    """An alert's info blocks in two languages are one alert read in the page's language; an Update
    takes the place of what it references; an alert outside ASEAN is kept and never current; an
    alert without ``expires`` is current for 24 hours from its sending; times keep their offset."""
    load(fresh_url, reference)
    monkeypatch.setenv("DATABASE_URL", fresh_url)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    recent, old = (now - dt.timedelta(hours=2)).isoformat(), (now - dt.timedelta(hours=30)).isoformat()
    indonesian = """<info><language>id-ID</language><category>Met</category><event>Banjir</event>
    <urgency>Immediate</urgency><severity>Severe</severity><certainty>Likely</certainty>
    <headline>Peringatan banjir Jakarta</headline>
    <area><areaDesc>Jakarta</areaDesc><geocode><valueName>ISO3166-1</valueName><value>IDN</value></geocode></area></info>"""
    files = [
        write(
            tmp_path,
            "two.xml",
            cap("BMKG-1", event="Flood", headline="Jakarta flood warning", geocode="IDN", infos=indonesian),
        ),
        write(tmp_path, "orig.xml", cap("P-1")),
        write(
            tmp_path,
            "upd.xml",
            cap(
                "P-1-U",
                msg_type="Update",
                headline="Signal no. 4",
                sent="2026-11-20T11:00:00+08:00",
                references="pagasa.dost.gov.ph,P-1,2026-11-20T08:00:00+08:00",
            ),
        ),
        write(
            tmp_path,
            "aus.xml",
            cap(
                "BOM-1",
                area="<area><areaDesc>New South Wales</areaDesc><geocode><valueName>ISO3166-1</valueName>"
                "<value>AUS</value></geocode></area>",
            ),
        ),
        write(tmp_path, "recent.xml", cap("N-1", expires="", sent=recent)),
        write(tmp_path, "old.xml", cap("N-2", expires="", sent=old)),
    ]
    r = CliRunner().invoke(cli, ["disasters", "import-cap", *map(str, files)])
    assert r.exit_code == 0, r.output
    with TestClient(create_app(Settings(database_url=fresh_url))) as c:
        every = c.get("/api/v1/disasters/alerts").json()["items"]
        assert len(every) == 6  # the bilingual alert is one
        (two,) = [a for a in every if a["identifier"] == "BMKG-1"]
        assert two["languages"] == ["en-US", "id-ID"] and len(two["infos"]) == 2
        current = c.get("/api/v1/disasters/alerts", params={"current": "true"}).json()["items"]
        assert sorted(a["identifier"] for a in current) == ["BMKG-1", "N-1", "P-1-U"]
        (update,) = [a for a in current if a["identifier"] == "P-1-U"]
        assert update["sent"] == "2026-11-20T11:00:00+08:00"  # the sender's offset, not UTC
        assert "Peringatan banjir Jakarta" in c.get("/disasters/alerts", params={"lang": "id"}).text
        english = c.get("/disasters/alerts", params={"lang": "en"}).text
        assert "Jakarta flood warning" in english and "Peringatan banjir Jakarta" not in english
