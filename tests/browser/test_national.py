"""Real headless Chromium on a real server: a focal point records a national programme of action,
a measure aligned to an outcome of the ASCC Strategic Plan, a result, and circulates the draft; the
alignment matrix shows the measure with its result. In English and Indonesian.

Screenshots go to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import serve
from tests.browser.test_decision_cycle import PASSWORD, sign_in
from tests.browser.test_pages import CHROMIUM, shot
from tests.conftest import load, make_user
from tests.test_national import DEADLINE, load_frameworks

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
]
WORDS = {
    "en": {
        "add": "Add a measure",
        "save_measure": "Add the measure",
        "align": "Align a measure to a regional outcome or output",
        "align_button": "Align",
        "result": "Report a national result",
        "report": "Report the result",
        "circulate": "Circulate the draft",
        "matrix": "alignment matrix",
        "save": "Save",
    },
    "id": {
        "add": "Tambahkan langkah",
        "save_measure": "Tambahkan langkah ini",
        "align": "Selaraskan langkah dengan hasil atau keluaran regional",
        "align_button": "Selaraskan",
        "result": "Laporkan hasil nasional",
        "report": "Laporkan hasilnya",
        "circulate": "Edarkan rancangan",
        "matrix": "matriks keselarasan",
        "save": "Simpan",
    },
}


@pytest.fixture(scope="module")
def site(new_database, reference):
    url = new_database("sqlite")
    load(url, reference)
    load_frameworks(url)
    make_user(url, email="fp@mofa.gov.vn", role="focal_point", member_state="VNM", password=PASSWORD)
    with serve(url) as base:
        yield base


@pytest.mark.parametrize("lang", ["en", "id"])
def test_a_focal_point_records_aligns_reports_and_circulates(browser, site, lang):
    w = WORDS[lang]
    context, page = sign_in(browser, site, "fp@mofa.gov.vn", lang)
    page.goto(f"{site}/national-plans/new?lang={lang}")
    page.fill("#n-title-en", f"Programme of action ({lang})")
    page.select_option("#n-regional", "ascc-strategic-plan-2026-2035")
    page.get_by_role("button", name=w["save"]).click()
    page.wait_for_url("**/national-plans/*")
    page.get_by_text(w["add"], exact=True).click()
    page.fill("#m-code", "M1")
    page.fill("#m-title-en", f"Extend the monthly allowance ({lang})")
    page.get_by_role("button", name=w["save_measure"]).click()
    page.get_by_text(w["align"], exact=True).click()
    page.fill("#a-element", "ascc-strategic-plan-2026-2035/G1.O1")
    page.get_by_role("button", name=w["align_button"], exact=True).click()
    page.get_by_text(w["result"], exact=True).click()
    page.fill("#r-label-en", "Localities paying the allowance")
    page.select_option("#r-measure", "M1")
    page.fill("#r-value", "87.5")
    page.fill("#r-unit", "%")
    page.fill("#r-url", "https://example.gov.vn/report")
    page.get_by_role("button", name=w["report"]).click()
    page.fill("#k-ministries", "Ministry of Finance\nMinistry of Health")
    page.fill("#k-deadline", DEADLINE)
    page.get_by_role("button", name=w["circulate"]).click()
    assert page.get_by_text("Ministry of Health").first.is_visible()
    shot(page, f"{lang}-national-plan")
    page.get_by_role("link", name=w["matrix"]).first.click()
    cell = page.locator("table.matrix tbody tr").first.locator("td").last  # the VNM column
    assert f"Extend the monthly allowance ({lang})" in cell.inner_text()
    assert "87" in cell.inner_text()
    shot(page, f"{lang}-alignment-matrix")
    context.close()
