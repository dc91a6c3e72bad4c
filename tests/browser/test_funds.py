"""Real headless Chromium on a real server: a focal point submits a proposal to a fund call through
the page, a reviewer of the owner body (a chair of COCI) records the eligibility check and scores
it. In English and Indonesian.

Screenshots go to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import re

import httpx
import pytest

from ascc.db.engine import make_engine
from ascc.db.uow import unit_of_work
from ascc.funds import service as funds_service
from ascc.wiring import session_factory
from tests.browser.conftest import serve
from tests.browser.test_decision_cycle import PASSWORD, sign_in
from tests.browser.test_pages import CHROMIUM, shot
from tests.conftest import load, make_user
from tests.test_funds import OUTCOME
from tests.test_national import load_frameworks

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
]
WORDS = {
    "en": {
        "submit": "Submit the proposal",
        "eligible": "eligible",
        "check": "Record the eligibility check",
        "score": "Record your scores",
    },
    "id": {
        "submit": "Ajukan proposal",
        "eligible": "memenuhi syarat",
        "check": "Catat pemeriksaan kelayakan",
        "score": "Catat skor Anda",
    },
}


@pytest.fixture(scope="module")
def site(new_database, reference):
    url = new_database("sqlite")
    load(url, reference)
    load_frameworks(url)
    engine = make_engine(url)
    with unit_of_work(session_factory(engine)) as session:
        funds_service.load_funds(session)
    engine.dispose()
    make_user(url, email="fp@kemlu.go.id", role="focal_point", member_state="IDN", password=PASSWORD)
    chair = make_user(url, email="chair@coci.example", role="chair", body_id="coci", password=PASSWORD)
    with serve(url) as base:
        yield base, chair


def open_call(base: str, token: str, lang: str) -> int:
    r = httpx.post(
        f"{base}/api/v1/fund-calls",
        headers={"Authorization": f"Bearer {token}"},
        json={
            "fund_id": "acf",
            "title_en": f"Heritage call ({lang})",
            "title_id": f"Panggilan warisan ({lang})",
            "themes": ["heritage"],
            "eligibility": "Projects of at least two member states.",
            "ceiling": "50000",
            "currency": "USD",
            "deadline": "2099-01-01T00:00:00+00:00",
            "required_documents": ["Project document"],
            "criteria": [
                {"key": "relevance", "name_en": "Relevance", "name_id": "Relevansi", "weight": 3},
                {"key": "feasibility", "name_en": "Feasibility", "name_id": "Kelayakan", "weight": 1},
            ],
        },
    )
    assert r.status_code == 201, r.text
    return r.json()["id"]


@pytest.mark.parametrize("lang", ["en", "id"])
def test_a_focal_point_submits_and_a_reviewer_checks_and_scores(browser, site, lang):
    base, chair_token = site
    w = WORDS[lang]
    call = open_call(base, chair_token, lang)
    context, page = sign_in(browser, base, "fp@kemlu.go.id", lang)
    page.goto(f"{base}/funds/calls/{call}?lang={lang}")
    page.fill("#p-title-en", f"Shadow puppetry workshops ({lang})")
    page.fill("#p-summary", "Workshops with puppeteers of three member states.")
    page.fill("#p-requested", "12000")
    page.fill("#p-lines", "Trainers | 12000")
    page.fill("#p-outcomes", OUTCOME)
    page.fill("#p-docs", "Project document | https://example.org/wayang.pdf")
    page.get_by_role("button", name=w["submit"]).click()
    page.wait_for_url(re.compile(r".*/funds/proposals/\d+$"))
    proposal = page.url
    assert page.get_by_text(f"Shadow puppetry workshops ({lang})").first.is_visible()
    shot(page, f"{lang}-fund-proposal-submitted")
    context.close()

    context, page = sign_in(browser, base, "chair@coci.example", lang)
    page.goto(f"{proposal}?lang={lang}")
    page.get_by_label(w["eligible"], exact=True).check()
    page.fill("#e-reason", "Fits the call's themes.")
    page.get_by_role("button", name=w["check"]).click()
    page.wait_for_load_state()
    page.fill("#s-relevance", "9")
    page.fill("#s-feasibility", "6")
    page.get_by_role("button", name=w["score"]).click()
    page.wait_for_load_state()
    assert re.search(r"8[.,]25", page.content())  # (9 × 3 + 6 × 1) / 4
    assert page.get_by_text("Fits the call's themes.").first.is_visible()
    shot(page, f"{lang}-fund-proposal-scored")
    context.close()
