"""A full decision cycle in real Chromium: a chair and two focal points in their own browser contexts.

The chair opens an item and takes it to formulation with a text; Indonesia joins; Viet Nam joins with
a reservation; the other member states' positions come through the API (their focal points use
machines); the chair adopts. Run once in English and once in Bahasa Indonesia.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import serve
from tests.browser.test_pages import CHROMIUM, shot
from tests.conftest import load, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
]
PASSWORD = "a long enough password"
OTHERS = ["BRN", "KHM", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "TLS"]
WORDS = {
    "en": {
        "join": "Joins",
        "reservation": "Joins with a reservation",
        "record": "Record position",
        "adopt": "Adopt by consensus",
        "post": "Post text",
        "adopted": "Adopted.",
    },
    "id": {
        "join": "Bergabung",
        "reservation": "Bergabung dengan reservasi",
        "record": "Catat posisi",
        "adopt": "Adopsi secara konsensus",
        "post": "Kirim teks",
        "adopted": "Diadopsi.",
    },
}


@pytest.fixture(scope="module")
def site(new_database, reference):
    url = new_database("sqlite")
    load(url, reference)
    make_user(url, email="chair@asoen.org", role="chair", body_id="asoen", password=PASSWORD)
    make_user(url, email="fp@kemenlu.go.id", role="focal_point", member_state="IDN", password=PASSWORD)
    make_user(url, email="fp@mofa.gov.vn", role="focal_point", member_state="VNM", password=PASSWORD)
    machines = {
        code: make_user(url, email=f"fp@{code.lower()}.example", role="focal_point", member_state=code)
        for code in OTHERS
    }
    with serve(url) as base:
        yield base, machines


def sign_in(browser, base, email, lang):
    context = browser.new_context(extra_http_headers={"Accept-Language": lang})
    page = context.new_page()
    page.goto(f"{base}/login?lang={lang}")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.locator("form.stack button[type=submit]").click()
    page.wait_for_load_state()
    return context, page


@pytest.mark.parametrize("lang", ["en", "id"])
def test_propose_consult_positions_reservation_adopt(browser, site, lang):
    import httpx

    base, machines = site
    w = WORDS[lang]
    chair_ctx, chair = sign_in(browser, base, "chair@asoen.org", lang)
    chair.goto(f"{base}/decisions")
    chair.fill("#n-title", f"Regional guidelines on green jobs ({lang})")
    chair.select_option("#n-aud", "public")
    chair.locator("form[action='/decisions'] button[type=submit]").click()
    item_url = chair.url
    item_id = item_url.rstrip("/").rsplit("/", 1)[1]
    for _ in range(2):  # identify → consult → formulate
        chair.locator(f"form[action='/decisions/{item_id}/stage'] input[name=to] >> xpath=..").first.locator(
            "button"
        ).click()
    chair.fill("#t-en", "Member states agree to develop regional guidelines on green jobs.")
    chair.get_by_role("button", name=w["post"]).click()
    shot(chair, f"{lang}-decision-formulation")

    idn_ctx, idn = sign_in(browser, base, "fp@kemenlu.go.id", lang)
    idn.goto(item_url)
    idn.get_by_label(w["join"], exact=True).check()
    idn.get_by_role("button", name=w["record"]).click()
    expect(idn.locator("#pos-IDN")).to_contain_text(w["join"], timeout=30_000)

    vnm_ctx, vnm = sign_in(browser, base, "fp@mofa.gov.vn", lang)
    vnm.goto(item_url)
    vnm.get_by_label(w["reservation"], exact=True).check()
    vnm.fill("#p-text", "subject to national legislation")
    vnm.get_by_role("button", name=w["record"]).click()
    expect(vnm.locator("#pos-VNM")).to_contain_text("subject to national legislation", timeout=30_000)
    # a focal point's page offers no way to speak for another member state
    assert vnm.locator("input[name=member_state]").get_attribute("value") == "VNM"

    for code, token in machines.items():
        auth = {"Authorization": f"Bearer {token}"}
        etag = httpx.get(f"{base}/api/v1/decisions/{item_id}", headers=auth).headers[
            "etag"
        ]  # read, then write
        r = httpx.post(
            f"{base}/api/v1/decisions/{item_id}/positions",
            headers=auth | {"If-Match": etag},
            json={"member_state": code, "kind": "join"},
        )
        assert r.status_code == 200, r.text

    chair.goto(item_url)
    chair.get_by_role("button", name=w["adopt"]).click()
    expect(chair.locator("#consensus")).to_contain_text(w["adopted"], timeout=30_000)
    shot(chair, f"{lang}-decision-adopted")
    public = httpx.get(f"{base}/api/v1/decisions/{item_id}").json()
    assert public["status"] == "adopted" and public["consensus"]["reservations"] == ["VNM"]
    for ctx in (chair_ctx, idn_ctx, vnm_ctx):
        ctx.close()
