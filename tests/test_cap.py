"""CAP 1.2 early warnings: parsing, validation with line numbers, current alerts, links to events."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ascc.app import create_app
from ascc.cli.main import app as cli
from ascc.config import Settings
from ascc.disasters.cap import read_cap
from tests.conftest import load

STATES = {"PHL": ("PH", "Philippines", ["Filipina"]), "IDN": ("ID", "Indonesia", ["Indonesia"]),
          "VNM": ("VN", "Viet Nam", ["Vietnam"])}  # fmt: skip


def cap(identifier="PAGASA-2026-0001", *, msg_type="Alert", status="Actual", expires="2099-01-01T00:00:00+08:00",
        severity="Severe", geocode="PHL", references="", glide="") -> str:  # fmt: skip
    refs = f"<references>{references}</references>" if references else ""
    param = f"<parameter><valueName>GLIDE</valueName><value>{glide}</value></parameter>" if glide else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>{identifier}</identifier>
  <sender>pagasa.dost.gov.ph</sender>
  <sent>2026-11-20T08:00:00+08:00</sent>
  <status>{status}</status>
  <msgType>{msg_type}</msgType>
  <scope>Public</scope>
  {refs}
  <info>
    <category>Met</category>
    <event>Tropical cyclone</event>
    <urgency>Immediate</urgency>
    <severity>{severity}</severity>
    <certainty>Likely</certainty>
    <headline>Typhoon warning signal no. 3</headline>
    <expires>{expires}</expires>
    {param}
    <area><areaDesc>Eastern Samar, Philippines</areaDesc>
      <geocode><valueName>ISO3166-1</valueName><value>{geocode}</value></geocode></area>
  </info>
</alert>"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_valid_alert_is_read(tmp_path):
    alerts, problems = read_cap(write(tmp_path, "a.xml", cap()), member_states=STATES)
    assert problems == []
    (a,) = alerts
    assert (a.identifier, a.severity, a.member_states, a.hazard) == (
        "PAGASA-2026-0001",
        "Severe",
        ["PHL"],
        "ST",
    )
    assert a.expires == dt.datetime(2099, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def test_bad_alerts_name_line_and_element(tmp_path):
    broken = write(tmp_path, "broken.xml", "<alert><identifier>x</identifier>")
    assert "not well-formed XML" in str(read_cap(broken, member_states=STATES)[1][0])
    other = write(tmp_path, "rss.xml", "<rss version='2.0'/>")
    assert "not a CAP 1.2 alert" in str(read_cap(other, member_states=STATES)[1][0])
    bad = write(tmp_path, "bad.xml", cap(severity="Apocalyptic", geocode="AUS", expires="tomorrow"))
    alerts, problems = read_cap(bad, member_states=STATES)
    text = [str(p) for p in problems]
    assert alerts == []
    assert any(t.startswith("bad.xml:14 [severity]") and "Apocalyptic" in t for t in text), text
    assert any("[geocode]" in t and "'AUS'" in t for t in text)
    assert any("[expires]" in t for t in text)


def test_import_current_alerts_and_cancellation(fresh_url, reference, tmp_path, monkeypatch):
    load(fresh_url, reference)
    monkeypatch.setenv("DATABASE_URL", fresh_url)
    runner = CliRunner()
    files = [write(tmp_path, "1.xml", cap("A-1")), write(tmp_path, "2.xml", cap("A-2", status="Exercise")),
             write(tmp_path, "3.xml", cap("A-3", expires="2020-01-01T00:00:00+07:00")),
             write(tmp_path, "4.xml", cap("A-4")),
             write(tmp_path, "5.xml", cap("C-4", msg_type="Cancel", references="pagasa.dost.gov.ph,A-4,2026-11-20T08:00:00+08:00"))]  # fmt: skip
    r = runner.invoke(cli, ["disasters", "import-cap", *map(str, files)])
    assert r.exit_code == 0 and "5 new" in r.output, r.output
    assert "5 unchanged" in runner.invoke(cli, ["disasters", "import-cap", *map(str, files)]).output
    bad = write(tmp_path, "bad.xml", cap("B-1", geocode="AUS"))
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
