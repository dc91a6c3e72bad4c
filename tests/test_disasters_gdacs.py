"""GDACS RSS event feeds: read into records that merge with the CSV feeds, every problem named by
file, line and element, nothing imported from a bad file; GLIDE checked in CAP alerts too."""

from __future__ import annotations

import datetime as dt

from typer.testing import CliRunner

from ascc.cli.main import app as cli
from ascc.disasters.cap import read_cap
from ascc.disasters.gdacs import read_gdacs
from tests.conftest import load
from tests.test_disasters import csv_file, row
from tests.test_disasters_assistance import count

STATES = {
    "PHL": ("PH", "Philippines", ["Filipina"]),
    "IDN": ("ID", "Indonesia", []),
    "MYS": ("MY", "Malaysia", []),
    "VNM": ("VN", "Viet Nam", []),
}
HEAD = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:gdacs="http://www.gdacs.org" xmlns:geo="http://www.w3.org/2003/01/geo/wgs84_pos#"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>GDACS RSS information</title>
"""


def item(
    eventid="4217",
    etype="FL",
    start="Wed, 10 Dec 2014 00:00:00 GMT",
    end="Thu, 01 Jan 2015 23:59:59 GMT",
    country="Philippines",
    iso3="",
    glide="",
    level="Orange",
    population="12000",
    lat="8.656",
    lon="124.903",
):
    return f"""<item>
  <title>{level} flood alert in {country}</title>
  <link>https://www.gdacs.org/report.aspx?eventtype={etype}&amp;eventid={eventid}</link>
  <gdacs:fromdate>{start}</gdacs:fromdate>
  <gdacs:todate>{end}</gdacs:todate>
  <geo:Point><geo:lat>{lat}</geo:lat><geo:long>{lon}</geo:long></geo:Point>
  <gdacs:eventtype>{etype}</gdacs:eventtype>
  <gdacs:alertlevel>{level}</gdacs:alertlevel>
  <gdacs:eventname />
  <gdacs:eventid>{eventid}</gdacs:eventid>
  <gdacs:episodeid>2</gdacs:episodeid>
  <gdacs:population unit="Pop100" value="{population}">{population} people within 100km</gdacs:population>
  <gdacs:iso3>{iso3}</gdacs:iso3>
  <gdacs:country>{country}</gdacs:country>
  <gdacs:glide>{glide}</gdacs:glide>
</item>
"""


def feed(tmp_path, *items, name="gdacs.xml"):
    path = tmp_path / name
    path.write_text(HEAD + "".join(items) + "</channel></rss>\n", encoding="utf-8")
    return path


def test_items_become_records(tmp_path):
    path = feed(
        tmp_path,
        item(),
        item(eventid="1082314", etype="EQ", country="Luzon, Philippines", glide="0"),
        item(eventid="5001", country="Indonesia, Malaysia", glide="FL-2021-000040-IDN"),
    )
    records, problems = read_gdacs(path, member_states=STATES, today=dt.date(2026, 11, 22))
    assert problems == []
    got = [(r.record_id, r.hazard, r.member_state, r.start_date, r.end_date, r.glide) for r in records]
    assert got == [
        ("GDACS-FL-4217", "FL", "PHL", dt.date(2014, 12, 10), dt.date(2015, 1, 1), None),
        ("GDACS-EQ-1082314", "EQ", "PHL", dt.date(2014, 12, 10), dt.date(2015, 1, 1), None),
        ("GDACS-FL-5001-IDN", "FL", "IDN", dt.date(2014, 12, 10), dt.date(2015, 1, 1), "FL-2021-000040-IDN"),
        ("GDACS-FL-5001-MYS", "FL", "MYS", dt.date(2014, 12, 10), dt.date(2015, 1, 1), "FL-2021-000040-IDN"),
    ]
    assert (
        records[0].counts["affected"] is None and records[0].raw["population"] == "12000 people within 100km"
    )


def test_every_problem_is_named(tmp_path):
    path = feed(
        tmp_path,
        item(),
        item(eventid="2", country="Pakistan"),
        item(eventid="3", iso3="AUS"),
        item(eventid="4", start="Sun, 31 Feb 2016 00:00:00 GMT"),
        item(eventid="5", start="Tue, 10 Nov 2099 00:00:00 GMT", end=""),
        item(eventid="6", end="Mon, 01 Dec 2014 00:00:00 GMT"),
        item(eventid="7", population="-5"),
        item(eventid="8", glide="FL-16-1-PHL"),
        item(eventid="9", etype="XX"),
        item(eventid="10", level="Purple"),
        item(eventid="4217"),
    )
    records, problems = read_gdacs(path, member_states=STATES, today=dt.date(2026, 11, 22))
    assert records == []
    tags = {p.field for p in problems}
    assert {
        "gdacs:country",
        "gdacs:iso3",
        "gdacs:fromdate",
        "gdacs:todate",
        "gdacs:population",
        "gdacs:glide",
        "gdacs:eventtype",
        "gdacs:alertlevel",
        "gdacs:eventid",
    } <= tags
    assert any(
        str(p).startswith("gdacs.xml:") and "'Pakistan' names no ASEAN member state" in str(p)
        for p in problems
    )
    broken = tmp_path / "broken.xml"
    broken.write_text(HEAD + "<item><title>x</title>\n</channel>", encoding="utf-8")
    (p,) = read_gdacs(broken, member_states=STATES)[1]
    assert "not well-formed" in p.reason and p.line >= 5


def test_cli_merges_with_the_csv_feed_and_refuses_bad_files(fresh_url, reference, tmp_path, monkeypatch):
    load(fresh_url, reference)
    monkeypatch.setenv("DATABASE_URL", fresh_url)
    runner = CliRunner()
    csv = csv_file(tmp_path, row(feed="GDACS", rid="GDACS-FL-4217", start="2014-12-10", end="2015-01-01"))
    assert runner.invoke(cli, ["disasters", "import", str(csv)]).exit_code == 0
    bad = feed(
        tmp_path, item(eventid="9999", country="Viet Nam"), item(eventid="1", iso3="CHN"), name="bad.xml"
    )
    r = runner.invoke(cli, ["disasters", "import", str(bad)])
    assert r.exit_code == 1 and "bad.xml:" in r.output and "'CHN' is not an ASEAN member state" in r.output
    assert count(fresh_url, "disaster_event_sources") == 1
    good = feed(tmp_path, item(glide="FL-2014-000170-PHL"), item(eventid="9999", country="Viet Nam"))
    r = runner.invoke(cli, ["disasters", "import", str(good)])
    assert r.exit_code == 0 and "1 new events" in r.output and "1 updated" in r.output, r.output
    assert count(fresh_url, "disaster_events") == 2 and count(fresh_url, "disaster_event_revisions") == 3


CAP = """<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>BMKG-1</identifier><sender>bmkg.go.id</sender><sent>2026-11-20T08:00:00+07:00</sent>
  <status>Actual</status><msgType>Alert</msgType><scope>Public</scope>
  <info><category>Met</category><event>Flood</event><urgency>Expected</urgency><severity>Severe</severity>
    <certainty>Likely</certainty>
    <parameter><valueName>GLIDE</valueName><value>FL-26-1-IDN</value></parameter>
    <area><areaDesc>Jakarta, Indonesia</areaDesc></area></info>
</alert>
"""


def test_cap_glide_numbers_are_checked(tmp_path):
    path = tmp_path / "alert.xml"
    path.write_text(CAP, encoding="utf-8")
    alerts, problems = read_cap(path, member_states=STATES)
    assert alerts == [] and "GLIDE 'FL-26-1-IDN'" in str(problems[0]) and problems[0].line == 7
