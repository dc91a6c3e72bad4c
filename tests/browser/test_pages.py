"""Real headless Chromium (Debian's package) clicking through the main pages in both languages.

Screenshots go to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import CHROMIUM, serve
from tests.conftest import ROOT, load

ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)"),
]


@pytest.fixture(scope="module")
def base_url(new_database, reference):
    url = new_database("sqlite")
    load(url, reference)
    with serve(url) as base:
        yield base


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize(
    ("lang", "accept", "words"),
    [
        ("en", "en-US,en;q=0.9", {"sectors": "Sectors", "chart": "Organisation chart", "fp": "Focal points"}),
        (
            "id",
            "id-ID,id;q=0.9",
            {"sectors": "Sektor", "chart": "Bagan organisasi", "fp": "Instansi penjuru"},
        ),
    ],
)
def test_click_through_main_pages(browser, base_url, lang, accept, words):
    context = browser.new_context(locale=accept.split(",")[0], extra_http_headers={"Accept-Language": accept})
    page = context.new_page()
    page.goto(base_url + "/")
    assert page.locator("html").get_attribute("lang") == lang
    shot(page, f"{lang}-home")
    page.locator("#menu-community > summary").click()  # the main menu's group that holds it
    page.get_by_role("navigation", name="Main" if lang == "en" else "Utama").get_by_role(
        "link", name=words["sectors"]
    ).click()
    assert page.get_by_role("heading", level=1).inner_text() == words["sectors"]
    page.locator("a[href='/sectors/environment']").first.click()
    assert page.get_by_role("heading", name=words["chart"]).is_visible()
    assert page.get_by_text(words["fp"]).first.is_visible()
    shot(page, f"{lang}-sector-environment")
    page.locator("ul.tree a[href='/bodies/asoen']").click()
    assert "ASOEN" in page.get_by_role("heading", level=1).inner_text()
    shot(page, f"{lang}-body-asoen")
    page.locator("a[href='/bodies/amme']").first.click()
    assert "AMME" in page.get_by_role("heading", level=1).inner_text()
    page.fill("#site-q", "AMMSWD")
    page.keyboard.press("Enter")
    page.locator("a[href='/bodies/ammswd']").first.click()
    assert "AMMSWD" in page.get_by_role("heading", level=1).inner_text()
    page.goto(base_url + "/network")
    # formats drawn and tabled alike; AMCA meets in four of them (+3, +China, +Japan, +ROK)
    assert page.locator("svg.network g.format").count() == page.locator("table tbody tr").count() == 7
    assert page.locator("table a[href='/bodies/amca']").count() == 4
    shot(page, f"{lang}-network")
    context.close()


def test_language_switch_is_remembered(browser, base_url):
    context = browser.new_context(extra_http_headers={"Accept-Language": "en"})
    page = context.new_page()
    page.goto(base_url + "/bodies")
    page.locator("nav.lang a[data-lang='id']").click()
    assert page.locator("html").get_attribute("lang") == "id"
    page.locator("#menu-community > summary").click()
    page.get_by_role("link", name="Negara anggota").first.click()
    assert page.locator("html").get_attribute("lang") == "id"
    assert page.get_by_role("heading", level=1).inner_text() == "Negara anggota"
    context.close()


def test_keyboard_and_phone_screen(browser, base_url):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(base_url + "/bodies?lang=en")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    page.select_option("#f-sector", "environment")
    page.get_by_role("button", name="Filter").click()
    assert page.locator("tbody tr").count() >= 7
    shot(page, "en-bodies-phone")
    context.close()


def test_the_api_documentation_runs_without_a_cdn(browser, base_url):
    """Swagger UI comes from the installed package and starts under the pages' content policy:
    the operations appear, nothing is requested from another site, nothing is refused."""
    context = browser.new_context()
    page = context.new_page()
    refused, elsewhere = [], []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("request", lambda r: None if r.url.startswith(base_url) else elsewhere.append(r.url))
    page.goto(base_url + "/docs")
    page.locator(".opblock-tag").first.wait_for(timeout=20_000)
    assert (
        page.locator(".opblock-tag", has_text="registry").count() >= 1
        or page.locator(".opblock").count() > 10
    )
    assert (refused, elsewhere) == ([], [])
    context.close()
