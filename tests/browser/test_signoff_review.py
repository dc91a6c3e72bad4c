"""Upload and review without friction in real Chromium, in English and in Bahasa Indonesia, at 1280 px
and 375 px: a focal point's file with an unknown unit is refused with the accepted spellings; a file
in "per 100000" for an indicator in "per 100,000" is stored, and its result (rows accepted) stays on
the page while the drafts table refreshes; the Secretariat's review page names the indicator, puts
the value published before beside the new one with the change and a large-jump flag, asks for a
confirmation, and shows the new published values at once. No page scrolls sideways.
Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ascc.db.engine import make_engine
from ascc.db.uow import unit_of_work
from ascc.monitoring import service as monitoring_service
from ascc.monitoring.models import Indicator
from ascc.wiring import session_factory
from tests.browser.conftest import serve
from tests.browser.test_decision_cycle import PASSWORD
from tests.browser.test_pages import CHROMIUM, shot
from tests.conftest import load, make_user
from tests.monitoring.conftest import PLAIN_HEADER

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
]
RATE = "TEST.RATE"
#: one member state per run, so that every run reviews its own first change
RUNS = [("en", 1280, "IDN"), ("en", 375, "MYS"), ("id", 1280, "PHL"), ("id", 375, "THA")]
WORDS = {
    "en": {
        "upload": "Upload",
        "submit": "Submit for approval",
        "approve": "Approve and publish",
        "yes": "Yes, approve and publish",
        "approved": "Approved",
        "submitted": "Submitted",
        "rows": "Rows accepted:",
        "name": "Test incidence rate",
        "large": "large change",
    },
    "id": {
        "upload": "Unggah",
        "submit": "Ajukan untuk persetujuan",
        "approve": "Setujui dan terbitkan",
        "yes": "Ya, setujui dan terbitkan",
        "approved": "Disetujui",
        "submitted": "Diajukan",
        "rows": "Baris diterima:",
        "name": "Laju insiden uji",
        "large": "perubahan besar",
    },
}


@pytest.fixture(scope="module")
def site(new_database, reference, tmp_path_factory):
    url = new_database("sqlite")
    load(url, reference)
    engine = make_engine(url)
    with unit_of_work(session_factory(engine)) as session:
        session.add(
            Indicator(
                code=RATE,
                name_en="Test incidence rate",
                name_id="Laju insiden uji",
                unit="per 100,000",
                level="national",
            )
        )
    path = tmp_path_factory.mktemp("approved") / "approved.csv"
    path.write_text(
        PLAIN_HEADER
        + "".join(
            f'{RATE},{ms},{y},{v},"per 100,000",MoH,\n'
            for _, _, ms in RUNS
            for y, v in ((2019, 100), (2020, 50))
        )
    )
    with unit_of_work(session_factory(engine)) as session:
        assert monitoring_service.import_file(session, path, approval="approved").ok
    engine.dispose()
    make_user(url, email="officer@asean.org", password=PASSWORD)
    for _, _, ms in RUNS:
        make_user(
            url, email=f"fp@{ms.lower()}.example", role="focal_point", member_state=ms, password=PASSWORD
        )
    with serve(url) as base:
        yield base, tmp_path_factory.mktemp("files")


def sign_in(browser, base, email, lang, width):
    context = browser.new_context(
        viewport={"width": width, "height": 900},
        is_mobile=width < 500,
        has_touch=width < 500,
        extra_http_headers={"Accept-Language": lang},
    )
    page = context.new_page()
    page.goto(f"{base}/login?lang={lang}")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.locator("form.stack button[type=submit]").click()
    page.wait_for_load_state()
    return context, page


def fits(page, width: int) -> None:
    """No sideways scroll: the page is no wider than the screen (on a phone the layout viewport,
    ``innerWidth``, would grow with content that does not fit)."""
    assert (
        page.evaluate("document.documentElement.scrollWidth") <= page.evaluate("window.innerWidth") == width
    )


@pytest.mark.parametrize(("lang", "width", "ms"), RUNS)
def test_upload_result_stays_and_review_compares_and_confirms(browser, site, lang, width, ms):
    base, files = site
    w = WORDS[lang]
    bad = files / f"bad-{ms}.csv"
    bad.write_text(PLAIN_HEADER + f"{RATE},{ms},2021,12,per 1000 people,MoH,\n")
    good = files / f"good-{ms}.csv"
    good.write_text(
        PLAIN_HEADER + f"{RATE},{ms},2019,110,per 100000,MoH,\n{RATE},{ms},2020,80,per 100 000,MoH,\n"
    )

    fp_ctx, fp = sign_in(browser, base, f"fp@{ms.lower()}.example", lang, width)
    fp.goto(f"{base}/submissions/new?lang={lang}")
    fp.set_input_files("#up-file", str(bad))
    fp.get_by_role("button", name=w["upload"], exact=True).click()
    problem = fp.locator("#problems-table tbody tr").first
    expect(problem).to_contain_text("'per 100,000', 'per 100000', 'per 100 000'")
    expect(problem).to_contain_text("unit")
    fits(fp, width)
    shot(fp, f"{lang}-signoff-upload-problems-{width}")

    fp.set_input_files("#up-file", str(good))
    fp.get_by_role("button", name=w["upload"], exact=True).click()
    expect(fp.locator("#import-report")).to_contain_text(w["rows"])
    expect(fp.locator("#import-rows")).to_have_text("2")
    expect(fp.locator("#drafts-table")).to_contain_text(RATE)  # refreshed in place
    fp.wait_for_timeout(1500)  # the page used to reload itself here and lose the result
    expect(fp.locator("#import-report")).to_be_visible()
    expect(fp.locator("#import-rows")).to_have_text("2")
    fits(fp, width)
    shot(fp, f"{lang}-signoff-upload-result-{width}")
    fp.get_by_role("button", name=w["submit"]).click()
    fp.wait_for_url("**/submissions/*")
    submission = fp.url.split("?")[0].removeprefix(base)
    fp_ctx.close()

    sec_ctx, sec = sign_in(browser, base, "officer@asean.org", lang, width)
    sec.goto(f"{base}{submission}?lang={lang}")
    table = sec.locator("#submission-observations")
    expect(table).to_contain_text(w["name"])
    flagged = table.locator("tr.large-change")
    expect(flagged).to_have_count(1)
    expect(flagged).to_contain_text("+60 %")
    expect(flagged).to_contain_text(w["large"])
    expect(flagged.locator("td.published-now")).to_have_text("50")
    expect(sec.locator("#change-flags")).to_contain_text("20 %")
    fits(sec, width)
    shot(sec, f"{lang}-signoff-review-{width}")
    sec.get_by_role("button", name=w["approve"], exact=True).click()
    expect(sec.locator("#review-confirm")).to_be_visible()
    expect(sec.locator("#submission-state")).to_have_text(w["submitted"])  # nothing done yet
    fits(sec, width)
    shot(sec, f"{lang}-signoff-confirm-{width}")
    sec.get_by_role("button", name=w["yes"]).click()
    expect(sec.locator("#submission-state")).to_have_text(w["approved"])
    expect(sec.locator("#submission-observations tr.large-change td.published-now")).to_have_text("80")
    fits(sec, width)
    sec_ctx.close()
