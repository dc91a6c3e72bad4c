"""The calendar in real Chromium, in English and in Bahasa Indonesia, on a desk (1280 px) and a phone
(375 px): from the list view a reader clicks to the month view, to the next month and back, and to the
list view again. On every page: the meetings sit on their days, the year's expected meetings without
a date are in their own section, the page does not scroll sideways, and axe-core finds no violation
of serious or critical impact. Screenshots go to test-artifacts/screenshots/calendar/."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import serve
from tests.browser.test_pages import ARTIFACTS, CHROMIUM
from tests.conftest import load, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
]

WORDS = {
    "en": {
        "month": "Month view",
        "list": "List view",
        "jan": "January 2027",
        "feb": "February 2027",
        "undated": "Expected in 2027, date not fixed",
        "expected": "expected",
        "day": "Wednesday, February 10, 2027",
        "h1": "Calendar of meetings",
        "months": "Other months",
    },
    "id": {
        "month": "Tampilan bulan",
        "list": "Tampilan daftar",
        "jan": "Januari 2027",
        "feb": "Februari 2027",
        "undated": "Diperkirakan pada 2027, tanggal belum ditetapkan",
        "expected": "diperkirakan",
        "day": "Rabu, 10 Februari 2027",
        "h1": "Kalender pertemuan",
        "months": "Bulan lain",
    },
}


@pytest.fixture(scope="module")
def base_url(new_database, reference):
    url = new_database("sqlite")
    load(url, reference)
    token = make_user(url, email="officer@asean.org")
    with serve(url) as base:
        auth = {"Authorization": f"Bearer {token}"}
        r = httpx.put(
            base + "/api/v1/meetings/amme-17",
            headers=auth,
            json={
                "id": "amme-17",
                "body": "amme",
                "number": 17,
                "title_en": "17th AMME",
                "date_start": "2027-02-10",
                "date_end": "2027-02-11",
            },
        )
        assert r.status_code in (200, 201), r.text
        r = httpx.put(
            base + "/api/v1/bodies/somswd/cycle-overrides",
            headers=auth,
            json={"year": 2027, "date": "2027-01-20", "reason": "agreed at the previous SOMSWD"},
        )
        assert r.status_code in (200, 201), r.text
        yield base


def check(page: Page, name: str) -> None:
    """No sideways scroll, no serious or critical axe-core violation; a screenshot."""
    from axe_playwright_python.sync_playwright import Axe

    wide = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert wide[0] <= wide[1], f"{name} scrolls sideways: {wide}"
    result = Axe().run(page, options={"resultTypes": ["violations"]})
    bad = [
        (v["id"], v["help"]) for v in result.response["violations"] if v["impact"] in ("serious", "critical")
    ]
    assert bad == [], f"{name}: {bad}"
    (ARTIFACTS / "calendar").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "calendar" / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize("lang", ["en", "id"])
def test_switch_views_and_months_by_clicking(browser, base_url, lang, width):
    w = WORDS[lang]
    context = browser.new_context(
        viewport={"width": width, "height": 900},
        is_mobile=width < 600,
        has_touch=width < 600,
        extra_http_headers={"Accept-Language": lang},
    )
    page = context.new_page()
    page.goto(base_url + "/calendar?year=2027")
    assert page.locator("html").get_attribute("lang") == lang
    expect(page.get_by_role("heading", level=1)).to_have_text(w["h1"])
    check(page, f"{lang}-{width}-list")

    page.get_by_role("link", name=w["month"]).click()
    grid = page.locator("table.month")
    expect(grid.locator("caption")).to_have_text(w["jan"])
    january_20 = grid.locator("td", has=page.locator('time[datetime="2027-01-20"]'))
    expect(january_20).to_contain_text("SOMSWD")
    expect(january_20).to_contain_text(w["expected"])
    expect(page.get_by_role("heading", name=w["undated"])).to_be_visible()
    check(page, f"{lang}-{width}-january")

    page.get_by_role("navigation", name=w["months"]).get_by_role("link", name=w["feb"]).click()
    expect(grid.locator("caption")).to_have_text(w["feb"])
    for day in ("2027-02-10", "2027-02-11"):
        expect(grid.locator("td", has=page.locator(f'time[datetime="{day}"]'))).to_contain_text("17th AMME")
    if width < 600:  # the grid is a list of the days with meetings, each with its full date
        expect(grid.locator("thead")).to_be_hidden()
        expect(grid.get_by_text(w["day"])).to_be_visible()
        expect(grid.locator("td", has=page.locator('time[datetime="2027-02-09"]'))).to_be_hidden()
    else:
        expect(grid.locator("thead th")).to_have_count(7)
        expect(grid.get_by_text(w["day"])).to_be_hidden()
    check(page, f"{lang}-{width}-february")

    page.get_by_role("navigation", name=w["months"]).get_by_role("link", name=w["jan"]).click()
    expect(grid.locator("caption")).to_have_text(w["jan"])
    page.get_by_role("link", name=w["list"]).click()
    expect(page.locator("table.month")).to_have_count(0)
    assert "view=list" in page.url and "year=2027" in page.url
    context.close()
