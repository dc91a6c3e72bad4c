"""Real headless Chromium on a real server: the YDI 2022 page in English and Indonesian, what-if
weights recomputed live through the API, the no-JavaScript fallback, and the CSV download.

Screenshots go to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import csv
import io

import httpx
import pytest

from ascc.db.engine import make_engine
from ascc.db.uow import unit_of_work
from ascc.indices import store as index_store
from ascc.wiring import session_factory
from tests.browser.conftest import serve
from tests.browser.test_pages import CHROMIUM, shot
from tests.conftest import load
from tests.indices.conftest import EXAMPLES, STORE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)"),
    pytest.mark.skipif(not STORE.exists(), reason=f"indicator store not found at {STORE}"),
]
WEIGHTS = {"IdentitasASEAN": 0.0, "PekerjaanPeluang": 3.0}


@pytest.fixture(scope="module")
def base_url(new_database, reference):
    url = new_database("sqlite")
    load(url, reference)
    engine = make_engine(url)
    with unit_of_work(session_factory(engine)) as s:
        index_store.store_run(s, definition=EXAMPLES / "ydi-2022.yaml", data=STORE, uncertainty_n=20)
    engine.dispose()
    with serve(url) as base:
        yield base


def _order(page) -> list[str]:
    return page.locator("#ranking-table tbody tr").evaluate_all("rows => rows.map(r => r.dataset.unit)")


def _api_order(base_url: str, weights: dict[str, float]) -> list[str]:
    definition = httpx.get(base_url + "/indices/ydi-2022/definition.yaml").text
    data = httpx.get(base_url + "/indices/ydi-2022/data.csv").text
    r = httpx.post(
        base_url + "/api/v1/indices/what-if",
        json={"definition": definition, "data": data, "weights": weights},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    rows = sorted(
        (x for x in r.json()["results"] if x["Time"] == 2019), key=lambda x: (x["rank"], x["uCode"])
    )
    return [x["uCode"] for x in rows]


@pytest.mark.parametrize(
    ("lang", "accept", "words"),
    [
        (
            "en",
            "en-US,en;q=0.9",
            {
                "nav": "Indices",
                "notice": "Demonstration, not the official index.",
                "updated": "Recomputed in the browser",
                "results": "Results (CSV)",
            },
        ),
        (
            "id",
            "id-ID,id;q=0.9",
            {
                "nav": "Indeks",
                "notice": "Demonstrasi, bukan indeks resmi.",
                "updated": "Dihitung ulang di peramban",
                "results": "Hasil (CSV)",
            },
        ),
    ],
)
def test_ydi_page_what_if_and_download(browser, base_url, lang, accept, words, tmp_path):
    context = browser.new_context(
        locale=accept.split(",")[0], extra_http_headers={"Accept-Language": accept}, accept_downloads=True
    )
    page = context.new_page()
    page.goto(base_url + "/")
    page.locator("#menu-data > summary").click()  # the main menu's group that holds it
    page.get_by_role("navigation", name="Main" if lang == "en" else "Utama").get_by_role(
        "link", name=words["nav"], exact=True
    ).click()
    assert page.locator("html").get_attribute("lang") == lang
    page.locator("a[href='/indices/ydi-2022']").click()
    assert page.get_by_text(words["notice"]).is_visible()
    nominal = _order(page)
    assert len(nominal) == 11 and nominal == _api_order(base_url, {})
    assert (
        page.locator("svg.rank-interval").count() == 11
        and page.locator("svg[data-chart='trend'] polyline").count() == 11
    )
    shot(page, f"{lang}-index-ydi-2022")
    for code, value in WEIGHTS.items():
        page.fill(f"#w-{code}", f"{value:g}")
    page.wait_for_function(
        """w => { const got = JSON.parse(document.getElementById('ranking-table').dataset.whatIf || '{}');
                  return Object.keys(w).every(k => got[k] === w[k]); }""",
        arg=WEIGHTS,
    )
    assert words["updated"] in page.locator("#ranking-status").inner_text()
    changed = _order(page)
    assert changed == _api_order(base_url, WEIGHTS)
    assert changed != nominal
    first_rank = page.locator("#ranking-table tbody tr").first.locator(".rank").inner_text()
    assert first_rank == "1"
    shot(page, f"{lang}-index-ydi-2022-what-if")
    with page.expect_download() as info:
        page.get_by_role("link", name=words["results"]).click()
    path = tmp_path / "results.csv"
    info.value.save_as(path)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    best = min((r for r in rows if r["Code"] == "YDI" and r["Time"] == "2019"), key=lambda r: int(r["Rank"]))
    assert best["uCode"] == nominal[0]
    context.close()


def test_what_if_without_javascript_and_a_bad_weight(browser, base_url):
    context = browser.new_context(java_script_enabled=False, extra_http_headers={"Accept-Language": "en"})
    page = context.new_page()
    page.goto(base_url + "/indices/ydi-2022")
    for code, value in WEIGHTS.items():
        page.fill(f"#w-{code}", f"{value:g}")
    page.get_by_role("button", name="Recompute").click()
    page.wait_for_url("**w_IdentitasASEAN=0**")
    assert _order(page) == _api_order(base_url, WEIGHTS)
    shot(page, "en-index-ydi-2022-what-if-no-js")
    response = page.goto(base_url + "/indices/ydi-2022?w_PekerjaanPeluang=-2&lang=id")
    assert response.status == 422
    assert "w_PekerjaanPeluang" in page.locator("main").inner_text()
    context.close()
