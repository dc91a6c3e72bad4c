"""Real headless Chromium on a real server: the activity list and page, and a plan's results
framework, in English and Indonesian.

Screenshots go to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import serve
from tests.browser.test_pages import CHROMIUM, shot
from tests.conftest import load
from tests.results.test_results import load_results

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)"),
]


@pytest.fixture(scope="module")
def base_url(new_database, reference):
    url = new_database("sqlite")
    load(url, reference)
    load_results(url)
    with serve(url) as base:
        yield base


@pytest.mark.parametrize(
    ("lang", "accept", "words"),
    [
        (
            "en",
            "en-US,en;q=0.9",
            {
                "nav": "Activities",
                "list": "Programmes and projects",
                "iati": "IATI export",
                "framework": "Results framework",
                "outcome": "Outcome",
                "main": "Main",
            },
        ),
        (
            "id",
            "id-ID,id;q=0.9",
            {
                "nav": "Kegiatan",
                "list": "Program dan proyek",
                "iati": "Ekspor IATI",
                "framework": "Kerangka hasil",
                "outcome": "Hasil antara",
                "main": "Utama",
            },
        ),
    ],
)
def test_activities_and_plan_framework(browser, base_url, lang, accept, words):
    context = browser.new_context(locale=accept.split(",")[0], extra_http_headers={"Accept-Language": accept})
    page = context.new_page()
    page.goto(base_url + "/")
    page.locator("#menu-cooperation > summary").click()  # the main menu's group that holds it
    page.get_by_role("navigation", name=words["main"]).get_by_role("link", name=words["nav"]).click()
    assert page.get_by_role("heading", level=1).inner_text() == words["list"]
    assert page.locator("tbody tr").count() == 7
    shot(page, f"{lang}-activities")
    page.get_by_role(
        "link", name="ASEAN-EU Sustainable Use of Peatlands and Haze Mitigation in ASEAN"
    ).click()
    assert page.get_by_role("heading", name=words["iati"]).is_visible()
    assert page.get_by_text("partners[0].role").is_visible()
    shot(page, f"{lang}-activity-supa")
    page.goto(base_url + "/plans/aadmer-work-programme-2021-2025")
    assert page.get_by_role("heading", name=words["framework"]).is_visible()
    assert page.locator("#G1\\.O2").is_visible()
    assert page.get_by_text(words["outcome"], exact=True).first.is_visible()
    shot(page, f"{lang}-plan-framework")
    context.close()
