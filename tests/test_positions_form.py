"""The position form and the adopt button of a decision item's page, over HTTP with session
cookies, on SQLite and PostgreSQL: nothing is chosen in advance, a missing choice or a missing
reservation text or clearance date is a 422 naming the field (and nothing is stored), and "adopt"
stays disabled, naming who has not answered (by name), until consensus holds."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient

from ascc.app import create_app
from ascc.config import Settings
from tests.conftest import load, make_user
from tests.test_decisions import MEMBERS, auth, fresh, new_item, position

PASSWORD = "a long enough password"


@pytest.fixture
def world(fresh_url, reference):
    load(fresh_url, reference)
    tokens = {
        "secretariat": make_user(fresh_url, email="officer@asean.org", password=PASSWORD),
        "chair": make_user(
            fresh_url, email="chair@asoen.org", role="chair", body_id="asoen", password=PASSWORD
        ),
    }
    for code in MEMBERS:
        tokens[code] = make_user(
            fresh_url,
            email=f"fp@{code.lower()}.example",
            role="focal_point",
            member_state=code,
            password=PASSWORD,
        )
    app = create_app(Settings(database_url=fresh_url))
    with TestClient(app) as api:
        item = new_item(api, tokens)
        yield app, api, tokens, item


def signed_in(app, email: str) -> TestClient:
    c = TestClient(app)
    c.__enter__()
    token = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text).group(1)
    assert c.post("/login", data={"email": email, "password": PASSWORD, "csrf": token}).is_success
    return c


def form_of(page: str, action: str) -> str:
    return re.search(rf'<form method="post" action="{re.escape(action)}".*?</form>', page, re.S).group(0)


def hidden(page: str, action: str) -> dict[str, str]:
    form = form_of(page, action)
    return {
        m[0]: html.unescape(m[1])
        for m in re.findall(r'name="(csrf|revision|member_state)" value="([^"]*)"', form)
    }


def positions(api, tokens, item) -> dict[str, dict]:
    got = api.get(f"/api/v1/decisions/{item}", headers=auth(tokens, "secretariat")).json()
    return {p["member_state"]: p for p in got["positions"]}


def test_nothing_is_preselected_and_a_missing_choice_names_the_field(world):
    app, api, tokens, item = world
    idn = signed_in(app, "fp@idn.example")
    url = f"/decisions/{item}/positions"
    page = idn.get(f"/decisions/{item}").text
    form = form_of(page, url)
    assert len(re.findall(r'type="radio" name="kind"', form)) == 4 and "checked" not in form
    # the fields a position may need are marked with the positions that need them
    assert re.search(r'data-kinds="reservation object"[^>]*>.*?name="text"', form, re.S)
    assert re.search(r'data-kinds="ad_referendum"[^>]*>.*?name="clearance_due"', form, re.S)

    r = idn.post(url, data=hidden(page, url), follow_redirects=False)
    assert r.status_code == 422
    assert 'id="p-kind-error">Position: choose one of the positions.' in r.text
    assert 'aria-describedby="p-kind-error"' in r.text
    assert positions(api, tokens, item) == {}

    # a reservation without its text, ad referendum without its date: named, nothing stored, input kept
    r = idn.post(url, data=hidden(page, url) | {"kind": "reservation", "text": "  "}, follow_redirects=False)
    assert (
        r.status_code == 422 and 'id="p-text-error">Reservation text: a reservation needs its text.' in r.text
    )
    assert re.search(r'value="reservation" required checked', r.text)
    r = idn.post(
        url,
        data=hidden(page, url) | {"kind": "ad_referendum", "text": "pending cabinet"},
        follow_redirects=False,
    )
    assert r.status_code == 422 and 'id="p-due-error">Capital clearance due: give the date' in r.text
    assert "pending cabinet</textarea>" in r.text
    r = idn.post(url, data=hidden(page, url) | {"kind": "object"}, follow_redirects=False)
    assert r.status_code == 422 and "Reason for objecting: an objection needs its reason." in r.text
    assert positions(api, tokens, item) == {}

    # someone signed out is told that first, not what the form lacks
    with TestClient(app) as anon:
        token = re.search(r'name="csrf" value="([^"]+)"', anon.get("/login").text).group(1)
        r = anon.post(url, data={"csrf": token, "member_state": "IDN"}, follow_redirects=False)
        assert r.status_code == 401 and "choose one of the positions" not in r.text

    # in Bahasa Indonesia too
    r = idn.post(url + "?lang=id", data=hidden(page, url), follow_redirects=False)
    assert r.status_code == 422 and "Posisi: pilih salah satu posisi." in r.text

    r = idn.post(
        url,
        data=hidden(page, url) | {"kind": "ad_referendum", "clearance_due": "2026-12-31"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    stored = positions(api, tokens, item)["IDN"]
    assert stored["kind"] == "ad_referendum" and stored["clearance_due"] == "2026-12-31"
    idn.__exit__(None, None, None)


def adopt_button(page: str, item: int) -> str:
    return re.search(
        r'<button type="submit" id="adopt"[^>]*>', form_of(page, f"/decisions/{item}/adopt")
    ).group(0)


def test_adopt_is_disabled_naming_who_has_not_answered_until_consensus(world):
    app, api, tokens, item = world
    chair = signed_in(app, "chair@asoen.org")
    for code in MEMBERS:
        if code not in ("BRN", "TLS", "VNM", "LAO"):
            assert position(api, tokens, item, code).status_code == 200
    assert position(api, tokens, item, "VNM", "object", text="needs more consultation").status_code == 200
    assert position(api, tokens, item, "LAO", "ad_referendum", clearance_due="2026-12-15").status_code == 200

    page = chair.get(f"/decisions/{item}").text
    assert "disabled" in adopt_button(page, item)
    why = re.search(r'<p id="adopt-why">(.*?)</p>', page, re.S).group(1)
    assert "No position yet from: Brunei Darussalam, Timor-Leste." in why
    assert "Objecting: Viet Nam." in why and "Awaiting capital clearance: Lao" in why
    assert "Indonesia" not in why and "Thailand" not in why
    page_id = chair.get(f"/decisions/{item}?lang=id").text
    assert (
        "Belum ada posisi dari: Brunei Darussalam, Timor-Leste." in page_id
        and "Keberatan: Vietnam." in page_id
    )

    # posted anyway (a page left open): the refusal names the member states too, and nothing changes
    url = f"/decisions/{item}/adopt"
    r = chair.post(url, data=hidden(page, url), follow_redirects=False)
    assert r.status_code == 409
    assert "no position yet from Brunei Darussalam (BRN), Timor-Leste (TLS)" in html.unescape(r.text)
    assert "objection from Viet Nam (VNM)" in html.unescape(r.text)
    r = api.post(f"/api/v1/decisions/{item}/adopt", headers=fresh(api, tokens, "chair", item))
    assert r.status_code == 409 and r.json()["missing"] == ["BRN", "TLS"] and r.json()["objecting"] == ["VNM"]
    assert "Timor-Leste (TLS)" in r.json()["detail"]

    for code in ("BRN", "TLS", "VNM"):
        assert position(api, tokens, item, code).status_code == 200
    assert api.post(
        f"/api/v1/decisions/{item}/positions/LAO/clearance", headers=auth(tokens, "LAO")
    ).is_success
    page = chair.get(f"/decisions/{item}").text
    assert "disabled" not in adopt_button(page, item) and 'id="adopt-why"' not in page
    r = chair.post(url, data=hidden(page, url), follow_redirects=False)
    assert r.status_code == 303
    assert api.get(f"/api/v1/decisions/{item}").json()["status"] == "adopted"
    chair.__exit__(None, None, None)
