"""Disaster pages over real HTTP on both backends: the assistance forms (request → offer → accept →
mobilise) with CSRF in both languages, the event page (map, timeline, impacts by area, revision
history), the regional map and the statistics charts; subnational areas and revisions on import."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ascc.app import create_app
from ascc.cli.main import app as cli
from ascc.config import Settings
from ascc.disasters.importer import read_areas
from tests.chart_check import check_charts
from tests.conftest import load, make_user
from tests.test_disasters import MEMBERS, csv_file, row
from tests.test_disasters_assistance import count

PASSWORD = "a long enough password"
AREA_HEADER = (
    "country_iso3,disaster_id,record_type,hazard_type,hazard_subtype,name_int,name_local,date_start,date_end,"
    "date_year,psgc,area_name,affected_families,affected_persons,dead,injured,missing,damaged_houses_full,"
    "damaged_houses_partial,damaged_properties_agri,damaged_properties_infra,damaged_properties_private,"
    "damage_total,damage_unit"
)


def area(
    rid="TC-1",
    psgc="083700000",
    name="Leyte",
    persons="1000",
    dead="",
    start="2013-11-08",
    ms="PHL",
    kind="event",
):
    return f"{ms},{rid},{kind},Tropical Cyclone,,,,{start},,2013,{psgc},{name},,{persons},{dead},,,,,,,,,"


def area_file(tmp_path, *rows, name="areas.csv"):
    path = tmp_path / name
    path.write_text(AREA_HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def site(fresh_url, reference, tmp_path, monkeypatch):
    load(fresh_url, reference)
    monkeypatch.setenv("DATABASE_URL", fresh_url)
    events = csv_file(
        tmp_path,
        row(
            feed="PHIL-DIS",
            rid="TC-1",
            hazard="Typhoon",
            start="2013-11-08",
            end="2013-11-10",
            name="Haiyan",
            deaths="6300",
        ),
    )
    assert CliRunner().invoke(cli, ["disasters", "import", str(events)]).exit_code == 0
    areas = area_file(
        tmp_path,
        area(),
        area(psgc="082600000", name="Eastern Samar", persons="500", dead="12"),
        area(rid="Aggregate_2013", kind="annual or multi-event aggregate (no single date)", start="13-1"),
    )
    r = CliRunner().invoke(cli, ["disasters", "import-areas", str(areas), "--notes"])
    assert r.exit_code == 0 and "2 new" in r.output and "kept aside" in r.output, r.output
    for email, ms in (("fp@ocd.gov.ph", "PHL"), ("fp@bnpb.go.id", "IDN")):
        make_user(fresh_url, email=email, role="focal_point", member_state=ms, password=PASSWORD)
    with TestClient(create_app(Settings(database_url=fresh_url))) as c:
        event = c.get("/api/v1/disasters/events").json()["items"][0]["id"]
        yield fresh_url, event, tmp_path


def browser_for(url, email):
    c = TestClient(create_app(Settings(database_url=url)))
    c.__enter__()
    token = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text).group(1)
    assert c.post("/login", data={"email": email, "password": PASSWORD, "csrf": token}).is_success
    return c


def form_values(page: str, action: str) -> dict[str, str]:
    form = re.search(rf'<form method="post" action="{re.escape(action)}".*?</form>', page, re.S).group(0)
    return {
        m[0]: html.unescape(m[1])
        for m in re.findall(r'name="(csrf|revision|member_state)" value="([^"]*)"', form)
    }


WORDS = {
    "en": {
        "accept": "Accept offer",
        "covered": "0 of 1 needs covered",
        "accepted": "Accepted",
        "mobilised": "Mobilised",
        "timeline": "Timeline",
    },
    "id": {
        "accept": "Terima tawaran",
        "covered": "0 dari 1 kebutuhan terpenuhi",
        "accepted": "Diterima",
        "mobilised": "Dimobilisasi",
        "timeline": "Kronologi",
    },
}


@pytest.mark.parametrize("lang", ["en", "id"])
def test_request_offer_accept_mobilise_through_the_forms(site, lang):
    url, event, _ = site
    w = WORDS[lang]
    phl, idn = browser_for(url, "fp@ocd.gov.ph"), browser_for(url, "fp@bnpb.go.id")
    page = phl.get(f"/disasters/{event}", params={"lang": lang}).text
    assert 'id="request-form"' in page
    assert 'id="request-form"' not in idn.get(f"/disasters/{event}").text  # IDN is not affected
    hidden = form_values(page, f"/disasters/{event}/requests")
    data = hidden | {
        "title": f"Haiyan shelter ({lang})",
        "need_category": ["shelter", "shelter", "food"],
        "need_description": ["Family tents", "", ""],
        "need_quantity": ["1000", "", ""],
        "need_unit": ["tents", "", ""],
        "need_location": ["Tacloban", "", ""],
        "need_start": ["2013-11-10", "", ""],
        "need_end": ["", "", ""],
    }
    r = phl.post(f"/disasters/{event}/requests", data=data, follow_redirects=False)
    assert r.status_code == 303, r.text
    target = r.headers["location"]
    page = idn.get(target, params={"lang": lang}).text
    assert 'id="offer-form"' in page and w["covered"] in page
    csrf = form_values(page, target.replace("/disasters/requests/", "/disasters/requests/") + "/offers")[
        "csrf"
    ]
    need = re.search(r'name="line_need" value="(\d+)"', page).group(1)
    r = idn.post(
        target + "/offers",
        data={
            "csrf": csrf,
            "line_need": [need],
            "line_kind": ["relief_items"],
            "line_description": ["Family tents from BNPB"],
            "line_quantity": ["600"],
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    assert 'id="offer-form"' not in phl.get(target).text  # the affected state does not offer to itself
    page = phl.get(target, params={"lang": lang}).text
    assert w["accept"] in page and w["accept"] not in idn.get(target, params={"lang": lang}).text
    offer = re.search(r'action="(/disasters/offers/\d+)/decision"', page).group(1)
    values = form_values(page, offer + "/decision")
    # a forged form is refused and changes nothing
    assert (
        phl.post(offer + "/decision", data=values | {"csrf": "forged", "decision": "accepted"}).status_code
        == 403
    )
    # IDN cannot accept its own offer
    idn_csrf = form_values(idn.get(target).text, target + "/offers")["csrf"]
    r = idn.post(offer + "/decision", data=values | {"csrf": idn_csrf, "decision": "accepted"})
    assert r.status_code == 403
    # declining needs a reason: the page comes back with the reason and nothing is written
    r = phl.post(offer + "/decision", data=values | {"decision": "declined"})
    assert r.status_code == 422 and 'role="alert"' in r.text
    r = phl.post(offer + "/decision", data=values | {"decision": "accepted"}, follow_redirects=False)
    assert r.status_code == 303
    stale = phl.post(offer + "/decision", data=values | {"decision": "declined", "reason": "late"})
    assert stale.status_code == 412
    page = idn.get(target, params={"lang": lang}).text
    assert w["accepted"] in page and "60%" in page and "400" in page  # covered share and gap
    values = form_values(page, offer + "/progress")
    r = idn.post(
        offer + "/progress", data=values | {"stage": "mobilised", "on": "2013-11-11"}, follow_redirects=False
    )
    assert r.status_code == 303
    page = phl.get(f"/disasters/{event}", params={"lang": lang}).text
    assert w["timeline"] in page and w["mobilised"] in page and "2013-11-11" in page
    for c in (phl, idn):
        c.__exit__(None, None, None)


def test_event_page_map_areas_revisions_and_the_region(site):
    url, event, tmp_path = site
    with TestClient(create_app(Settings(database_url=url))) as c:
        detail = c.get(f"/api/v1/disasters/events/{event}").json()
        assert [(a["name"], a["code"], a["impacts"].get("affected_persons")) for a in detail["areas"]] == [
            ("Eastern Samar", "082600000", 500),
            ("Leyte", "083700000", 1000),
        ]
        assert [r["number"] for r in detail["revisions"]] == [1]
        assert detail["revisions"][0]["changes"]["deaths"] == [None, 6300]
        page = c.get(f"/disasters/{event}", params={"lang": "en"}).text
        assert (
            "<svg" in page and 'data-code="PHL"' in page and 'data-region="PHLr111"' in page
        )  # Eastern Visayas
        assert "Impacts by area" in page and "Eastern Samar" in page and "Revision history" in page
        assert "Riwayat revisi" in c.get(f"/disasters/{event}", params={"lang": "id"}).text
        # a changed feed record is a new revision, kept beside the first
        changed = csv_file(
            tmp_path,
            row(
                feed="PHIL-DIS",
                rid="TC-1",
                hazard="Typhoon",
                start="2013-11-08",
                end="2013-11-10",
                name="Haiyan",
                deaths="6293",
            ),
            name="v2.csv",
        )
        assert "1 updated" in CliRunner().invoke(cli, ["disasters", "import", str(changed)]).output
        revisions = c.get(f"/api/v1/disasters/events/{event}").json()["revisions"]
        assert [(r["number"], r["changes"]) for r in revisions][1] == (2, {"deaths": [6300, 6293]})
        stats = c.get("/disasters/stats", params={"lang": "id"}).text
        assert stats.count('class="ascc-chart"') == 3 and "Kejadian per tahun" in stats
        for lang in ("en", "id"):  # each chart with its table and downloads (issue 17)
            assert check_charts(c, "/disasters/stats", lang) == [
                "disasters-events-by-year",
                "disasters-affected-by-state",
                "disasters-events-by-hazard",
            ]
        regional = c.get("/disasters/map", params={"days": 60})
        assert regional.status_code == 200 and "<svg" in regional.text
        assert c.get("/disasters/map", params={"days": "0"}).status_code == 422
        assert c.get("/disasters/map.json").json()["days"] == 60
        # the feed is older than the window (the one event began in 2013): without ?days= the map
        # shows the 60 days up to that event and says so; with ?days= as asked, nothing is current
        latest = c.get("/disasters/map.json").json()
        assert latest["as_of"] == "2013-11-08" and [e["name"] for e in latest["events"]] == ["Haiyan"]
        assert "up to the latest recorded event, 2013-11-08" in c.get("/disasters/map?lang=en").text
        assert "hingga kejadian terakhir yang tercatat, 2013-11-08" in c.get("/disasters/map?lang=id").text
        asked = c.get("/disasters/map.json", params={"days": 60}).json()
        assert asked["as_of"] is None and asked["events"] == []


def test_area_files_are_checked_and_all_or_nothing(site):
    url, _event, tmp_path = site
    bad = area_file(
        tmp_path,
        area(psgc="083700000", name="Biliran"),
        area(ms="AUS"),
        area(persons="-4"),
        area(start="2013-02-30"),
        area(start="2099-01-01"),
        name="bad.csv",
    )
    areas, problems, _ = read_areas(bad, member_states=MEMBERS)
    assert areas == [] and {(p.line, p.column) for p in problems} == {
        (3, "country_iso3"),
        (4, "affected_persons"),
        (5, "date_start"),
        (6, "date_start"),
    }
    before = count(url, "disaster_event_areas")
    r = CliRunner().invoke(cli, ["disasters", "import-areas", str(bad)])
    assert (
        r.exit_code == 1 and "bad.csv:4 [affected_persons]" in r.output and "nothing was imported" in r.output
    )
    assert count(url, "disaster_event_areas") == before


def test_the_affected_state_adds_a_need_with_the_form_and_stale_forms_are_refused(site):
    url, event, _ = site
    phl = browser_for(url, "fp@ocd.gov.ph")
    page = phl.get(f"/disasters/{event}").text
    data = form_values(page, f"/disasters/{event}/requests") | {
        "title": "Haiyan water",
        "need_category": ["water_sanitation"],
        "need_description": ["Jerrycans"],
        "need_quantity": ["200"],
        "need_unit": ["jerrycans"],
    }
    target = phl.post(f"/disasters/{event}/requests", data=data, follow_redirects=False).headers["location"]
    page = phl.get(target, params={"lang": "id"}).text
    assert "Tambah kebutuhan" in page
    values = form_values(page, target + "/needs")
    need = {"category": "food", "description": "Rice", "quantity": "5", "unit": "tonnes"}
    r = phl.post(target + "/needs", data=values | need, follow_redirects=False)
    assert r.status_code == 303
    assert phl.post(target + "/needs", data=values | need).status_code == 412  # the form is stale now
    detail = phl.get("/api/v1" + target).json()
    assert [n["description"] for n in detail["needs"]] == ["Jerrycans", "Rice"]
    phl.__exit__(None, None, None)


def test_an_events_footprint_is_geojson_of_its_member_states_regions_and_points(site):
    """``/api/v1/disasters/events/{id}/footprint.geojson``: the affected member state's land, the
    Global Data Lab region holding each affected province, and the feed's point (an epicentre)."""
    import geojson

    from tests.test_disasters import HEADER

    url, event, tmp_path = site
    fields = dict.fromkeys(HEADER.split(","), "")
    fields |= {
        "source_id": "NOAA",
        "event_id": "EQ-9",
        "hazard_type": "Earthquake",
        "event_name": "Bohol",
        "country_iso3": "PHL",
        "start_date": "2013-10-15",
        "end_date": "2013-10-15",
        "year": "2013",
        "latitude": "9.86",
        "longitude": "124.01",
        "deaths": "222",
    }
    quake = tmp_path / "quake.csv"
    quake.write_text(HEADER + "\n" + ",".join(fields.values()) + "\n", encoding="utf-8")
    assert CliRunner().invoke(cli, ["disasters", "import", str(quake)]).exit_code == 0
    with TestClient(create_app(Settings(database_url=url))) as c:
        r = c.get(f"/api/v1/disasters/events/{event}/footprint.geojson")
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/geo+json")
        doc = geojson.loads(r.text)
        assert doc.is_valid, doc.errors()
        roles = {(f["properties"]["role"], f["properties"].get("code")) for f in doc["features"]}
        assert ("member_state", "PHL") in roles and any(role == "region" for role, _ in roles)
        assert doc["properties"]["name"] == "Haiyan"
        bohol = next(
            e["id"] for e in c.get("/api/v1/disasters/events").json()["items"] if e.get("name") == "Bohol"
        )
        points = [
            f
            for f in c.get(f"/api/v1/disasters/events/{bohol}/footprint.geojson").json()["features"]
            if f["properties"]["role"] == "point"
        ]
        assert [p["geometry"]["coordinates"] for p in points] == [[124.01, 9.86]]  # longitude first
        assert c.get("/api/v1/disasters/events/999999/footprint.geojson").status_code == 404
