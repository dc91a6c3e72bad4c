"""Real headless Chromium: search and ask through the real page, both languages, then follow a
citation to its passage anchor. Screenshots go to ``test-artifacts/screenshots/``."""

from __future__ import annotations

import pytest

from ascc.db.engine import make_engine
from ascc.db.uow import unit_of_work
from ascc.knowledge import service as knowledge_service
from ascc.wiring import session_factory
from tests.browser.conftest import serve
from tests.browser.test_pages import CHROMIUM, shot
from tests.conftest import SEEDS, load

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)"),
]


@pytest.fixture(scope="module")
def kb_base_url(new_database, reference):
    url = new_database("sqlite")
    load(url, reference)
    engine = make_engine(url)
    with unit_of_work(session_factory(engine)) as session:
        knowledge_service.load_seeds(session, folder=SEEDS)
    engine.dispose()
    with serve(url) as base:
        yield base


@pytest.mark.parametrize(
    ("lang", "accept", "question", "seed", "words"),
    [
        (
            "en",
            "en-US,en;q=0.9",
            "Tulislah bentuk kerjasama ASEAN dalam bidang sosial",
            "seed-000",
            {"ask": "Ask a question", "answer": "Passages that answer the question", "refine": "Refine"},
        ),
        (
            "id",
            "id-ID,id;q=0.9",
            "Apa tujuan dilakukan kerjasama ASEAN pada bidang sosial",
            "seed-001",
            {
                "ask": "Ajukan pertanyaan",
                "answer": "Bagian dokumen yang menjawab pertanyaan",
                "refine": "Saring",
            },
        ),
    ],
)
def test_search_and_ask_in_the_page(browser, kb_base_url, lang, accept, question, seed, words):
    context = browser.new_context(locale=accept.split(",")[0], extra_http_headers={"Accept-Language": accept})
    page = context.new_page()
    page.goto(kb_base_url + "/")
    page.fill("#site-q", "kerja sama pendidikan")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=*")
    assert page.locator("html").get_attribute("lang") == lang
    assert page.get_by_role("complementary", name=words["refine"]).is_visible()
    assert page.locator("ol.hits mark").count() > 0
    shot(page, f"{lang}-search")
    page.fill("#s-q", question)
    page.get_by_label(words["ask"]).check()
    page.locator("#s-go").click()
    page.wait_for_url("**mode=ask*")
    assert page.get_by_role("heading", name=words["answer"]).is_visible()
    first = page.locator("li.answer-passage p.cite a").first
    assert f"/documents/{seed}#p" in first.get_attribute("href")
    shot(page, f"{lang}-ask")
    first.click()
    anchor = page.url.rsplit("#", 1)[1]
    assert page.locator(f"#{anchor}").is_visible()
    assert page.locator("html").get_attribute("lang") == lang
    shot(page, f"{lang}-document-passage")
    context.close()
