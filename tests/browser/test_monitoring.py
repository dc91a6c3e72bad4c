"""Member-state sign-off in real Chromium, in English and in Bahasa Indonesia: Indonesia's focal point
uploads a file (progress streamed to the page) — first a bad one, whose complete report is shown
with nothing stored — then submits its drafts; the Secretariat approves from its queue (and confirms); the public
indicator page then draws the new value in its chart and table, and the charts export as SVG and as
PNG (drawn on a canvas by static/charts.js). Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from ascc.db.engine import make_engine
from ascc.db.uow import unit_of_work
from ascc.monitoring import loader
from ascc.monitoring import service as monitoring_service
from ascc.monitoring.models import Area, Indicator
from ascc.wiring import session_factory
from tests.browser.conftest import serve
from tests.browser.test_decision_cycle import PASSWORD, sign_in
from tests.browser.test_pages import CHROMIUM, shot
from tests.conftest import load, make_user
from tests.monitoring.conftest import DATA, PLAIN_HEADER

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
]
WORDS = {
    "en": {
        "upload": "Upload",
        "submit": "Submit for approval",
        "approve": "Approve and publish",
        "approved": "Approved",
        "coverage": "1 of 10 member states",
        "stored": "Nothing was stored.",
        "png": "Download PNG",
        "svg": "Download SVG",
        "year": "2021",
        "value": "276,400,000",
    },
    "id": {
        "upload": "Unggah",
        "submit": "Ajukan untuk persetujuan",
        "approve": "Setujui dan terbitkan",
        "approved": "Disetujui",
        "coverage": "1 dari 10 negara anggota",
        "stored": "Tidak ada yang disimpan.",
        "png": "Unduh PNG",
        "svg": "Unduh SVG",
        "year": "2022",
        "value": "279.100.000",
    },
}


@pytest.fixture(scope="module")
def site(new_database, reference, tmp_path_factory):
    url = new_database("sqlite")
    load(url, reference)
    engine = make_engine(url)
    with unit_of_work(session_factory(engine)) as session:
        session.add_all(Indicator(**r) for r in loader.indicator_records(DATA))
        session.add_all(Area(**r) for r in loader.area_records(DATA) if r["code"] == "ID-AC")
    path = tmp_path_factory.mktemp("approved") / "approved.csv"
    path.write_text(
        PLAIN_HEADER
        + "".join(
            f"SP.POP.TOTL,{ms},{y},{v + y * 1000},persons,WDI,\n"
            for ms, v in (("IDN", 270000000), ("MYS", 30000000), ("PHL", 108000000))
            for y in range(2015, 2021)
        )
    )
    with unit_of_work(session_factory(engine)) as session:
        assert monitoring_service.import_file(session, path, approval="approved").ok
    engine.dispose()
    make_user(url, email="officer@asean.org", password=PASSWORD)
    make_user(url, email="fp@bps.go.id", role="focal_point", member_state="IDN", password=PASSWORD)
    with serve(url) as base:
        yield base, tmp_path_factory.mktemp("files")


@pytest.mark.parametrize("lang", ["en", "id"])
def test_submission_approval_public_chart(browser, site, lang):
    base, files = site
    w = WORDS[lang]
    value = w["value"].replace(",", "").replace(".", "")
    bad = files / f"bad-{lang}.csv"
    bad.write_text(
        PLAIN_HEADER
        + f"SP.POP.TOTL,IDN,{w['year']},{value},persons,BPS,\nSP.POP.TOTL,MYS,{w['year']},1,persons,x,\n"
    )
    good = files / f"idn-{lang}.csv"
    good.write_text(PLAIN_HEADER + f"SP.POP.TOTL,IDN,{w['year']},{value},persons,BPS,\n")

    fp_ctx, fp = sign_in(browser, base, "fp@bps.go.id", lang)
    fp.goto(f"{base}/submissions/new?lang={lang}")
    assert fp.locator("html").get_attribute("lang") == lang
    fp.set_input_files("#up-file", str(bad))
    fp.get_by_role("button", name=w["upload"], exact=True).click()
    expect(fp.locator("#problems-table")).to_be_visible()
    expect(fp.locator("#import-error")).to_contain_text(w["stored"])
    row = fp.locator("#problems-table tbody tr").first
    expect(row).to_contain_text(bad.name)
    expect(row).to_contain_text("country_iso3")
    shot(fp, f"{lang}-monitoring-upload-report")
    fp.set_input_files("#up-file", str(good))
    fp.get_by_role("button", name=w["upload"], exact=True).click()
    expect(fp.locator("#drafts-table")).to_contain_text("SP.POP.TOTL")  # refreshed in place
    expect(fp.locator("#import-rows")).to_have_text("1")  # the result stays on the page
    fp.get_by_role("button", name=w["submit"]).click()
    fp.wait_for_url("**/submissions/*")
    submission_url = fp.url.split("?")[0]
    assert fp.get_by_role("button", name=w["approve"]).count() == 0  # focal points do not review
    shot(fp, f"{lang}-monitoring-submitted")

    public = browser.new_context(accept_downloads=True, extra_http_headers={"Accept-Language": lang})
    page = public.new_page()
    page.goto(f"{base}/indicators/SP.POP.TOTL?lang={lang}")
    assert w["value"] not in page.locator("#values-table").inner_text()  # submitted is not public

    sec_ctx, sec = sign_in(browser, base, "officer@asean.org", lang)
    sec.goto(f"{base}/submissions?lang={lang}")
    sec.locator(f'#submissions-table a[href="{submission_url.removeprefix(base)}"]').click()
    sec.get_by_role("button", name=w["approve"]).click()
    sec.locator("#confirm-button").click()  # the approval is confirmed on a second step
    expect(sec.locator("#submission-state")).to_have_text(w["approved"])

    page.goto(f"{base}/indicators/SP.POP.TOTL?lang={lang}")
    expect(page.locator("#values-table")).to_contain_text(w["value"])
    expect(page.locator("#coverage")).to_contain_text(w["coverage"])
    chart = page.locator("figure[data-export$=timeseries] svg.ascc-chart")
    expect(chart.locator("g[data-series=IDN] circle")).to_have_count(7 if lang == "en" else 8)
    shot(page, f"{lang}-monitoring-indicator")
    figure = page.locator("figure[data-export$=timeseries]")
    with page.expect_download() as download:
        figure.get_by_role("button", name=w["png"]).click()
    png = download.value
    assert png.suggested_filename == "SP.POP.TOTL-timeseries.png"
    assert Path(png.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with page.expect_download() as download:
        figure.get_by_role("link", name=w["svg"]).click()
    svg = Path(download.value.path()).read_text(encoding="utf-8")
    assert svg.startswith("<?xml") and 'data-series="IDN"' in svg
    for ctx in (fp_ctx, sec_ctx, public):
        ctx.close()
