"""Progress pages in real Chromium, in English and Bahasa Indonesia: the plan scorecard (legend,
status badges with their hover titles) and the choropleth map of an indicator (classed legend, no-data
hatch, a title per member state). Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import serve
from tests.browser.test_pages import CHROMIUM, shot
from tests.conftest import load
from tests.monitoring.progress_data import seed

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
]
WORDS = {
    "en": {
        "scorecard": "Scorecard",
        "legend": "Legend: progress status",
        "limited": "Limited progress",
        "no_data": "no data",
        "map": "Map",
    },
    "id": {
        "scorecard": "Kartu skor",
        "legend": "Keterangan: status kemajuan",
        "limited": "Kemajuan terbatas",
        "no_data": "tidak ada data",
        "map": "Peta",
    },
}


@pytest.fixture(scope="module")
def site(new_database, reference):
    url = new_database("sqlite")
    load(url, reference)
    seed(url)
    with serve(url) as base:
        yield base


@pytest.mark.parametrize("lang", ["en", "id"])
def test_scorecard_and_map(browser, site, lang):
    w = WORDS[lang]
    context = browser.new_context(extra_http_headers={"Accept-Language": lang})
    page = context.new_page()
    page.goto(f"{site}/progress/plans/aphda?base=2015&lang={lang}")
    assert page.locator("html").get_attribute("lang") == lang
    assert w["scorecard"] in page.locator("h1").inner_text()
    assert w["legend"] in page.locator("#legend-h").inner_text()
    idn = page.locator('tr[data-indicator="T.LIFE"] td.cell').nth(2)  # BRN, KHM, IDN
    badge = idn.locator(".status")
    assert badge.get_attribute("data-status") == "limited_progress"
    assert w["limited"] in badge.get_attribute("title") and {
        "en": "70.0 (2015) → 71.4 (2020)",
        "id": "70,0 (2015) → 71,4 (2020)",
    }[lang] in badge.get_attribute("title")
    shot(page, f"{lang}-progress-scorecard")
    page.locator('tr[data-indicator="T.LIFE"] th a').first.click()
    page.wait_for_load_state()
    assert page.url.split("?")[0].endswith("/indicators/T.LIFE/map")
    assert w["map"] in page.locator("h1").inner_text()
    svg = page.locator("svg.choropleth")
    assert svg.locator("path[data-code]").count() == 11
    assert svg.locator('path[data-code="PHL"]').get_attribute("data-class") == "1"
    assert svg.locator('path[data-code="THA"]').get_attribute("fill") == "url(#nodata)"
    assert w["no_data"] in svg.locator('path[data-code="THA"] title').text_content()
    assert page.locator("#map-legend li").count() == 3  # two classes and "no data"
    shot(page, f"{lang}-progress-map")
    # the map as PNG, drawn in the browser from its SVG (issue 17)
    png = {"en": "Download PNG", "id": "Unduh PNG"}[lang]
    with page.expect_download() as download:
        page.locator("figure.map").get_by_role("button", name=png).click()
    assert download.value.suggested_filename.startswith(
        "T.LIFE-map"
    ) and download.value.suggested_filename.endswith(".png")
    assert Path(download.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page.goto(f"{site}/plans/ascc-blueprint-2025/progress?lang={lang}")
    assert page.locator("svg.ascc-chart").count() == 1 + 3  # the statuses, and one per indicator with data
    with page.expect_download() as download:
        page.locator("figure[data-export$=progress-status]").get_by_role("button", name=png).click()
    assert download.value.suggested_filename == "ascc-blueprint-2025-progress-status.png"
    assert Path(download.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    shot(page, f"{lang}-progress-report")
    context.close()
