"""One ASEAN One Response in real Chromium: two member-state focal points in their own browser
contexts. The Philippines (the affected member state) requests assistance for a typhoon; Indonesia
offers part of it; the Philippines accepts; the matching view shows what is covered and the gap.
Run once in English and once in Bahasa Indonesia; screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import pytest

from ascc.db.engine import make_engine
from ascc.db.uow import unit_of_work
from ascc.disasters import service as disasters_service
from ascc.disasters.importer import read_events
from ascc.wiring import session_factory
from tests.browser.conftest import serve
from tests.browser.test_decision_cycle import PASSWORD, sign_in
from tests.browser.test_pages import CHROMIUM, shot
from tests.conftest import load, make_user
from tests.test_disasters import MEMBERS, csv_file, row

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
]
WORDS = {
    "en": {
        "send": "Send request",
        "offer": "Send offer",
        "accept": "Accept offer",
        "accepted": "Accepted",
        "offered": "Offered",
        "covered": "0 of 2 needs covered",
        "timeline": "Offer accepted",
    },
    "id": {
        "send": "Kirim permintaan",
        "offer": "Kirim tawaran",
        "accept": "Terima tawaran",
        "accepted": "Diterima",
        "offered": "Ditawarkan",
        "covered": "0 dari 2 kebutuhan terpenuhi",
        "timeline": "Tawaran diterima",
    },
}


@pytest.fixture(scope="module")
def site(new_database, reference, tmp_path_factory):
    url = new_database("sqlite")
    load(url, reference)
    path = csv_file(
        tmp_path_factory.mktemp("events"),
        row(
            feed="PHIL-DIS",
            rid="TC-2013-11-08",
            hazard="Typhoon",
            start="2013-11-08",
            end="2013-11-10",
            name="Typhoon Haiyan (Yolanda)",
            deaths="6300",
        ),
    )
    records, problems = read_events(path, member_states=MEMBERS)
    assert problems == []
    engine = make_engine(url)
    with unit_of_work(session_factory(engine)) as session:
        disasters_service.import_records(session, records=records)
        event = disasters_service.list_events(session).items[0]["id"]
    engine.dispose()
    make_user(url, email="fp@ocd.gov.ph", role="focal_point", member_state="PHL", password=PASSWORD)
    make_user(url, email="fp@bnpb.go.id", role="focal_point", member_state="IDN", password=PASSWORD)
    with serve(url) as base:
        yield base, event


@pytest.mark.parametrize("lang", ["en", "id"])
def test_request_offer_accept(browser, site, lang):
    base, event = site
    w = WORDS[lang]
    phl_ctx, phl = sign_in(browser, base, "fp@ocd.gov.ph", lang)
    phl.goto(f"{base}/disasters/{event}?lang={lang}")
    assert phl.locator("html").get_attribute("lang") == lang
    phl.fill("#rq-title", f"Typhoon Haiyan: shelter and search and rescue ({lang})")
    phl.select_option("#nd-cat-0", "shelter")
    phl.fill("#nd-desc-0", "Family tents")
    phl.fill("#nd-qty-0", "1000")
    phl.fill("#nd-unit-0", "tents")
    phl.fill("#nd-loc-0", "Tacloban, Leyte")
    phl.select_option("#nd-cat-1", "search_rescue")
    phl.fill("#nd-desc-1", "USAR teams")
    phl.fill("#nd-qty-1", "2")
    phl.fill("#nd-unit-1", "teams")
    shot(phl, f"{lang}-assistance-request-form")
    phl.get_by_role("button", name=w["send"]).click()
    phl.wait_for_load_state()
    request_url = phl.url.split("?")[0]
    assert "/disasters/requests/" in request_url
    assert w["covered"] in phl.locator("section[aria-labelledby=matching]").inner_text()
    assert phl.locator("#offer-form").count() == 0  # the affected member state does not offer to itself

    idn_ctx, idn = sign_in(browser, base, "fp@bnpb.go.id", lang)
    idn.goto(f"{request_url}?lang={lang}")
    idn.select_option("#of-kind-0", "relief_items")
    idn.fill("#of-desc-0", "Family tents from BNPB stocks")
    idn.fill("#of-qty-0", "600")
    idn.select_option("#of-kind-1", "team")
    idn.fill("#of-desc-1", "BASARNAS USAR team")
    idn.fill("#of-qty-1", "1")
    idn.get_by_role("button", name=w["offer"]).click()
    idn.wait_for_load_state()
    assert w["offered"] in idn.locator(".offer-status").first.inner_text()
    assert idn.get_by_role("button", name=w["accept"]).count() == 0  # only the affected state accepts
    shot(idn, f"{lang}-assistance-offered")

    phl.goto(f"{request_url}?lang={lang}")
    phl.get_by_role("button", name=w["accept"]).click()
    phl.wait_for_load_state()
    assert w["accepted"] in phl.locator(".offer-status").first.inner_text()
    rows = phl.locator("#matching-table tbody tr")
    assert "60%" in rows.nth(0).inner_text() and "400" in rows.nth(0).locator(".gap").inner_text()
    assert "50%" in rows.nth(1).inner_text()
    shot(phl, f"{lang}-assistance-accepted")
    phl.goto(f"{base}/disasters/{event}?lang={lang}")
    assert w["timeline"] in phl.locator("#timeline + ol").inner_text()
    shot(phl, f"{lang}-assistance-event-page")
    for ctx in (phl_ctx, idn_ctx):
        ctx.close()
