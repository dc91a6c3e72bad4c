"""My work in real Chromium, in English and in Bahasa Indonesia, at 1280 px and 375 px: Indonesia's
focal point signs in and lands on ``/me``, the header shows one thing waiting, ``/me`` lists the decision item whose
current text needs its position, the page fits the screen, and the entry leads to the item's page.
Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import serve
from tests.browser.steps import item_with_text
from tests.browser.test_decision_cycle import PASSWORD, sign_in
from tests.browser.test_pages import CHROMIUM, shot
from tests.conftest import load, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
]
WORDS = {
    "en": ("My work", "Positions to record for IDN"),
    "id": ("Pekerjaan saya", "Posisi yang perlu dicatat untuk IDN"),
}


@pytest.fixture(scope="module")
def site(new_database, reference):
    url = new_database("sqlite")
    load(url, reference)
    chair = {
        "Authorization": "Bearer " + make_user(url, email="chair@asoen.org", role="chair", body_id="asoen")
    }
    make_user(url, email="fp@kemenlu.go.id", role="focal_point", member_state="IDN", password=PASSWORD)
    with serve(url) as base, httpx.Client(base_url=base, headers=chair) as api:
        item = item_with_text(
            api, "Regional guidelines on green jobs", title_id="Pedoman regional tentang pekerjaan hijau"
        )
        yield base, item


@pytest.mark.parametrize("lang", ["en", "id"])
def test_a_focal_point_finds_what_waits_on_a_desk_and_a_phone(browser, site, lang):
    base, item = site
    link, heading = WORDS[lang]
    context, page = sign_in(browser, base, "fp@kemenlu.go.id", lang)
    assert page.url.split("?")[0].endswith("/me")  # signing in lands on My work
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"{base}/me?lang={lang}")
        assert page.locator("html").get_attribute("lang") == lang
        expect(page.locator("#my-work")).to_contain_text(link)
        expect(page.locator("#my-work .count")).to_have_text("1")
        expect(page.locator("#positions_due h2")).to_have_text(heading)
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
        shot(page, f"{lang}-me-{width}")
    page.locator(f"#positions_due a[href='/decisions/{item}']").click()
    page.wait_for_load_state()
    assert page.url.split("?")[0].endswith(f"/decisions/{item}")
    context.close()
