"""Situation reports by the AHA Centre: numbered per event, each edit a new version with the old
ones kept, bilingual; the role, its CLI, the API, the pages and who may write them."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ascc.app import create_app
from ascc.cli.main import app as cli
from ascc.config import Settings
from tests.conftest import load, make_user
from tests.test_disasters import row
from tests.test_disasters_assistance import add_events, count

PASSWORD = "a long enough password"


@pytest.fixture
def world(fresh_url, reference, tmp_path):
    load(fresh_url, reference)
    first, second = add_events(
        fresh_url,
        tmp_path,
        row(rid="TC-1", hazard="Typhoon", start="2013-11-08", end="2013-11-10", name="Haiyan"),
        row(rid="FL-1", ms="IDN", start="2021-04-04", end="2021-04-06", name="Seroja"),
    )
    tokens = {
        "aha_centre": make_user(fresh_url, email="duty@ahacentre.org", role="aha_centre", password=PASSWORD),
        "secretariat": make_user(fresh_url, email="officer@asean.org"),
        "PHL": make_user(fresh_url, email="fp@ocd.gov.ph", role="focal_point", member_state="PHL"),
        "partner": make_user(fresh_url, email="observer@mofa.go.jp", role="partner", partner_id="JPN"),
    }
    with TestClient(create_app(Settings(database_url=fresh_url))) as client:
        yield client, tokens, fresh_url, first, second


def auth(tokens, who):
    return {} if who == "public" else {"Authorization": f"Bearer {tokens[who]}"}


REPORT = {
    "title_en": "Typhoon Haiyan, situation update",
    "title_id": "Topan Haiyan, pembaruan situasi",
    "body_en": "Landfall in Guiuan, Eastern Samar.",
    "body_id": "Mendarat di Guiuan, Samar Timur.",
    "as_of": "2013-11-08",
}


def test_numbered_per_event_versioned_and_bilingual(world):
    client, tokens, _, first, second = world
    a = client.post(
        f"/api/v1/disasters/events/{first}/sitreps", json=REPORT, headers=auth(tokens, "aha_centre")
    )
    assert a.status_code == 201, a.text
    b = client.post(
        f"/api/v1/disasters/events/{first}/sitreps",
        json=REPORT | {"as_of": "2013-11-09"},
        headers=auth(tokens, "aha_centre"),
    )
    other = client.post(
        f"/api/v1/disasters/events/{second}/sitreps", json=REPORT, headers=auth(tokens, "aha_centre")
    )
    assert (a.json()["number"], b.json()["number"], other.json()["number"]) == (1, 2, 1)
    sid, etag = a.json()["id"], a.headers["etag"]
    edit = REPORT | {"body_en": "Landfall in Guiuan; storm surge in Tacloban.", "as_of": "2013-11-09"}
    r = client.put(
        f"/api/v1/disasters/sitreps/{sid}", json=edit, headers=auth(tokens, "aha_centre") | {"If-Match": etag}
    )
    assert r.status_code == 200 and r.json()["version"] == 2 and r.json()["latest_version"] == 2
    stale = client.put(
        f"/api/v1/disasters/sitreps/{sid}",
        json=REPORT,
        headers=auth(tokens, "aha_centre") | {"If-Match": etag},
    )
    assert stale.status_code == 412
    missing = client.put(f"/api/v1/disasters/sitreps/{sid}", json=REPORT, headers=auth(tokens, "aha_centre"))
    assert missing.status_code == 428
    old = client.get(f"/api/v1/disasters/sitreps/{sid}", params={"version": 1}).json()
    assert old["body"]["en"] == REPORT["body_en"] and [v["version"] for v in old["versions"]] == [1, 2]
    assert client.get(f"/api/v1/disasters/sitreps/{sid}", params={"version": 9}).status_code == 404
    listed = client.get(f"/api/v1/disasters/events/{first}/sitreps").json()["items"]
    assert [(x["number"], x["version"]) for x in listed] == [(1, 2), (2, 1)]
    en = client.get(f"/disasters/sitreps/{sid}", params={"lang": "en"}).text
    assert "storm surge in Tacloban" in en and "Version 2 of 2" in en
    idn = client.get(f"/disasters/sitreps/{sid}", params={"lang": "id"}).text
    assert "Mendarat di Guiuan" in idn and "Versi 2 dari 2" in idn and "Topan Haiyan" in idn
    assert (
        "Ini versi terdahulu"
        in client.get(f"/disasters/sitreps/{sid}", params={"lang": "id", "version": 1}).text
    )
    page = client.get(f"/disasters/{first}", params={"lang": "id"}).text
    assert "Laporan situasi" in page and "#2" in page


@pytest.mark.parametrize("who", ["public", "secretariat", "PHL", "partner"])
def test_only_the_aha_centre_writes_them(world, who):
    client, tokens, url, first, _ = world
    made = client.post(
        f"/api/v1/disasters/events/{first}/sitreps", json=REPORT, headers=auth(tokens, "aha_centre")
    )
    sid, etag = made.json()["id"], made.headers["etag"]
    before = count(url, "audit_entries")
    expected = 401 if who == "public" else 403
    assert (
        client.post(
            f"/api/v1/disasters/events/{first}/sitreps", json=REPORT, headers=auth(tokens, who)
        ).status_code
        == expected
    )
    assert (
        client.put(
            f"/api/v1/disasters/sitreps/{sid}", json=REPORT, headers=auth(tokens, who) | {"If-Match": etag}
        ).status_code
        == expected
    )
    assert count(url, "audit_entries") == before and count(url, "disaster_sitrep_versions") == 1


def test_bad_reports_are_refused(world):
    client, tokens, url, first, _ = world
    h = auth(tokens, "aha_centre")
    assert client.post("/api/v1/disasters/events/999999/sitreps", json=REPORT, headers=h).status_code == 404
    r = client.post(
        f"/api/v1/disasters/events/{first}/sitreps", json=REPORT | {"as_of": "2013-02-30"}, headers=h
    )
    assert r.status_code == 422 and "as_of" in r.text
    assert (
        client.post(
            f"/api/v1/disasters/events/{first}/sitreps", json=REPORT | {"body_en": ""}, headers=h
        ).status_code
        == 422
    )
    assert count(url, "disaster_sitreps") == 0


def test_the_forms(world):
    client, _, _, first, _ = world
    login = client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', login.text).group(1)
    assert client.post(
        "/login", data={"email": "duty@ahacentre.org", "password": PASSWORD, "csrf": csrf}
    ).is_success
    page = client.get(f"/disasters/{first}", params={"lang": "en"}).text
    assert "Issue situation report" in page
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    r = client.post(f"/disasters/{first}/sitreps", data=REPORT | {"csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303
    target = r.headers["location"]
    page = client.get(target, params={"lang": "en"}).text
    revision = html.unescape(re.search(r'name="revision" value="([^"]+)"', page).group(1))
    r = client.post(
        target,
        data=REPORT | {"csrf": csrf, "revision": revision, "body_en": "Second text."},
        follow_redirects=False,
    )
    assert r.status_code == 303
    r = client.post(target, data=REPORT | {"csrf": csrf, "revision": revision})  # the old revision: refused
    assert r.status_code == 412 and "changed since you read it" in r.text
    assert client.post(target, data=REPORT | {"csrf": "forged"}).status_code == 403
    assert "Second text." in client.get(target).text


def test_aha_centre_accounts_from_the_cli(fresh_url, reference, monkeypatch):
    load(fresh_url, reference)
    monkeypatch.setenv("DATABASE_URL", fresh_url)
    r = CliRunner().invoke(
        cli,
        ["user", "create", "--email", "ops@ahacentre.org", "--name", "Ops", "--role", "aha_centre"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert r.exit_code == 0 and "as aha_centre" in r.output, r.output
