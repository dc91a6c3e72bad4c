"""Recording a position and the adopt button in real Chromium, in English and in Bahasa Indonesia,
at 1280 px and 375 px: nothing is chosen in advance, the reservation text appears on choosing a
reservation and the clearance date on choosing ad referendum; the chair's "adopt" is disabled and
names the member states that have not answered, until all have."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import serve
from tests.browser.test_decision_cycle import PASSWORD, sign_in
from tests.browser.test_pages import CHROMIUM, shot
from tests.conftest import load, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
]
MEMBERS = ["BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "TLS", "VNM"]
WORDS = {
    "en": {
        "reservation": "Joins with a reservation",
        "adref": "Ad referendum",
        "join": "Joins",
        "record": "Record position",
        "adopt": "Adopt by consensus",
        "waiting": "No position yet from:",
        "adopted": "Adopted.",
    },
    "id": {
        "reservation": "Bergabung dengan reservasi",
        "adref": "Ad referendum",
        "join": "Bergabung",
        "record": "Catat posisi",
        "adopt": "Adopsi secara konsensus",
        "waiting": "Belum ada posisi dari:",
        "adopted": "Diadopsi.",
    },
}


@pytest.fixture(scope="module")
def site(new_database, reference):
    url = new_database("sqlite")
    load(url, reference)
    tokens = {
        "secretariat": make_user(url, email="officer@asean.org", password=PASSWORD),
        "chair": make_user(url, email="chair@asoen.org", role="chair", body_id="asoen", password=PASSWORD),
    }
    for code in MEMBERS:
        tokens[code] = make_user(
            url, email=f"fp@{code.lower()}.example", role="focal_point", member_state=code, password=PASSWORD
        )
    with serve(url) as base:
        yield base, tokens


def api(base, tokens, who, method, path, **kw):
    auth = {"Authorization": f"Bearer {tokens[who]}"}
    headers = auth
    if method != "get" and path.count("/") > 3:  # a change of an existing item: read, then write
        item_path = "/".join(path.split("/")[:5])
        headers = auth | {"If-Match": httpx.get(f"{base}{item_path}", headers=auth).headers["etag"]}
    r = httpx.request(method, f"{base}{path}", headers=headers, **kw)
    assert r.is_success, r.text
    return r.json()


def new_item(base, tokens, title) -> int:
    item = api(
        base,
        tokens,
        "secretariat",
        "post",
        "/api/v1/decisions",
        json={"title_en": title, "body_id": "asoen", "audience": "member_states"},
    )["id"]
    for to in ("consult", "formulate"):
        api(base, tokens, "chair", "post", f"/api/v1/decisions/{item}/stage", json={"to": to})
    api(
        base,
        tokens,
        "chair",
        "post",
        f"/api/v1/decisions/{item}/proposals",
        json={"text_en": "Member states agree to share practice on community care."},
    )
    return item


@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize("lang", ["en", "id"])
def test_position_fields_follow_the_choice_and_adopt_names_who_is_missing(browser, site, lang, width):
    base, tokens = site
    w = WORDS[lang]
    item = new_item(base, tokens, f"Guidelines on community care ({lang}, {width} px)")
    item_url = f"{base}/decisions/{item}"

    idn_ctx, idn = sign_in(browser, base, "fp@idn.example", lang)
    idn.set_viewport_size({"width": width, "height": 800})
    idn.goto(item_url)
    for kind in ("join", "reservation", "ad_referendum", "object"):
        expect(idn.locator(f"#position-form input[name=kind][value={kind}]")).not_to_be_checked()
    expect(idn.locator("#p-text")).to_be_hidden()
    expect(idn.locator("#p-due")).to_be_hidden()

    idn.get_by_label(w["reservation"], exact=True).check()
    expect(idn.locator("#p-text")).to_be_visible()
    expect(idn.locator("#p-text")).to_have_attribute("required", "")
    expect(idn.locator("#p-due")).to_be_hidden()

    idn.get_by_label(w["adref"], exact=True).check()
    expect(idn.locator("#p-due")).to_be_visible()
    expect(idn.locator("#p-text")).to_be_hidden()
    idn.get_by_role("button", name=w["record"]).click()  # the date is required: the browser holds the form
    expect(idn.locator("#p-due")).to_be_visible()
    assert idn.locator("#p-due").evaluate("el => !el.validity.valid")
    idn.fill("#p-due", "2026-12-31")
    idn.get_by_role("button", name=w["record"]).click()
    expect(idn.locator("#pos-IDN")).to_contain_text(w["adref"], timeout=30_000)
    shot(idn, f"{lang}-{width}-position-recorded")

    chair_ctx, chair = sign_in(browser, base, "chair@asoen.org", lang)
    chair.set_viewport_size({"width": width, "height": 800})
    chair.goto(item_url)
    adopt = chair.get_by_role("button", name=w["adopt"])
    expect(adopt).to_be_disabled()
    why = chair.locator("#adopt-why")
    expect(why).to_contain_text(w["waiting"])
    waiting = why.inner_text().split(w["waiting"])[1].split(".")[0]
    for name in ("Brunei Darussalam", "Timor-Leste", "Malaysia"):  # the same in both languages
        assert name in waiting
    assert "Indonesia" not in waiting  # it answered: its capital's clearance is what is outstanding
    expect(why).to_contain_text("Indonesia")
    assert adopt.get_attribute("aria-describedby") == "adopt-why"
    shot(chair, f"{lang}-{width}-adopt-disabled")

    for code in MEMBERS:
        if code != "IDN":
            api(
                base,
                tokens,
                code,
                "post",
                f"/api/v1/decisions/{item}/positions",
                json={"member_state": code, "kind": "join"},
            )
    api(base, tokens, "IDN", "post", f"/api/v1/decisions/{item}/positions/IDN/clearance")
    chair.goto(item_url)
    expect(chair.locator("#adopt-why")).to_have_count(0)
    chair.get_by_role("button", name=w["adopt"]).click()
    expect(chair.locator("#consensus")).to_contain_text(w["adopted"], timeout=30_000)
    for ctx in (idn_ctx, chair_ctx):
        ctx.close()
