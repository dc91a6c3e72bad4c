"""Scorecards on both backends use approved, current national totals only, and their pages render in
both languages. Expected statuses are worked out in tests/monitoring/progress_data.py."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ascc.app import create_app
from ascc.cli.main import app as cli
from ascc.config import Settings
from ascc.db.engine import make_engine
from ascc.monitoring.targets import scorecards
from ascc.wiring import session_factory
from tests.monitoring.progress_data import progress_url  # noqa: F401 - fixture


@pytest.fixture(scope="module")
def site(progress_url):  # noqa: F811
    with TestClient(create_app(Settings(database_url=progress_url))) as c:
        yield c


@pytest.fixture
def session(progress_url):  # noqa: F811
    engine = make_engine(progress_url)
    s = session_factory(engine)()
    yield s
    s.rollback()
    s.close()
    engine.dispose()


def row(card, code):
    return next(r for r in card["rows"] if r["indicator"]["code"] == code)


def test_only_approved_current_values_count(session):
    series = scorecards.approved_series(session, indicators=["T.LIFE"])["T.LIFE"]
    assert series["IDN"] == {
        2015: 70.0,
        2020: 71.4,
    }  # the 2022 draft (90) and the 2099 projection are left out
    assert series["PHL"] == {2015: 66.0, 2020: 72.0}  # the superseded 2020 revision (50) is left out
    assert "THA" not in series  # submitted, not approved


def test_plan_scorecard(session):
    card = scorecards.plan_scorecard(session, plan_id="aphda")
    assert [r["indicator"]["code"] for r in card["rows"]] == [
        "T.LIFE",
        "T.NODIR",
    ]  # health; subnational left out
    life = row(card, "T.LIFE")
    # IDN 70 → 71.4: 1.02 ** 0.2 - 1 = 0.40 % a year; PHL 66 → 72: 1.75 % a year
    assert life["cells"]["IDN"]["status"] == "limited_progress"
    assert life["cells"]["IDN"]["latest_value"] == 71.4 and life["cells"]["IDN"]["latest_year"] == 2020
    assert life["cells"]["PHL"]["status"] == "substantial_progress"
    assert life["cells"]["PHL"]["value"] == pytest.approx(0.017555, abs=1e-5)
    assert life["cells"]["THA"]["status"] == "insufficient_data"
    assert life["cells"]["THA"]["reason"] == "no approved data"
    # mean score of -0.516 and 3.778 = 1.63 → moderate, 2 of 11 assessed
    assert life["regional"]["status"] == "moderate_progress"
    assert (life["regional"]["assessed"], life["regional"]["member_states"]) == (2, 11)
    assert row(card, "T.NODIR")["cells"]["IDN"]["status"] == "insufficient_data"
    assert card["base_year"] == 2015


def test_pillar_wide_plan_and_sector_and_member_state(session):
    card = scorecards.plan_scorecard(session, plan_id="ascc-blueprint-2025")
    assert card["pillar_wide"] and {r["indicator"]["code"] for r in card["rows"]} == {
        "T.LIFE",
        "T.MMR",
        "T.NODIR",
    }
    sector = scorecards.sector_scorecard(session, sector_id="women-children")
    assert [r["indicator"]["code"] for r in sector["rows"]] == ["T.MMR"]
    # lower is better: 200 → 180 is -2.09 % a year, i.e. +2.09 % in the wanted direction
    assert row(sector, "T.MMR")["cells"]["IDN"]["status"] == "substantial_progress"
    idn = scorecards.member_state_scorecard(session, code="idn")
    assert idn["member_states"] == ["IDN"]
    assert row(idn, "T.LIFE")["cell"]["status"] == "limited_progress"
    # a later plan's base year leaves no data: the 2026-2035 strategic plan has nothing to assess yet
    later = scorecards.plan_scorecard(session, plan_id="ascc-strategic-plan-2026-2035")
    assert later["base_year"] == 2026
    assert row(later, "T.LIFE")["cells"]["IDN"]["reason"] == "no data from 2026 on"


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        (
            "en",
            ["Scorecard", "Limited progress", "Legend: progress status", "2 of 11 member states assessed"],
        ),
        (
            "id",
            [
                "Kartu skor",
                "Kemajuan terbatas",
                "Keterangan: status kemajuan",
                "2 dari 11 negara anggota dinilai",
            ],
        ),
    ],
)
def test_pages_in_both_languages(site, lang, words):
    page = site.get(f"/progress/plans/aphda?lang={lang}")
    assert page.status_code == 200 and page.headers["content-language"] == lang
    for w in words:
        assert w in page.text, w
    row_html = re.search(r'<tr data-indicator="T.LIFE">.*?</tr>', page.text, re.S).group(0)
    assert row_html.count('data-status="limited_progress"') == 1  # IDN
    assert row_html.count('data-status="substantial_progress"') == 1  # PHL
    ms = site.get(f"/progress/member-states/IDN?lang={lang}")
    latest = "71.4 (2020)" if lang == "en" else "71,4 (2020)"  # the data's one decimal, the reader's format
    assert ms.status_code == 200 and latest in ms.text
    assert ("no direction" if lang == "en" else "tidak memiliki arah") in ms.text
    focus = site.get(f"/progress/plans/aphda?member_state=IDN&lang={lang}")
    assert focus.status_code == 200 and 'id="scorecard-IDN"' in focus.text
    base, growth = ("70.0 (2015)", "+0.40%") if lang == "en" else ("70,0 (2015)", "+0,40%")
    assert base in focus.text and latest in focus.text and growth in focus.text
    assert ("Baseline" if lang == "en" else "Nilai dasar") in focus.text
    assert site.get(f"/progress/sectors/health?member_state=XXX&lang={lang}").status_code == 422
    # units in the reader's language; these indicators' Indonesian names are given, not translated
    life = "T.LIFE, years" if lang == "en" else "T.LIFE, tahun"
    assert life in page.text and life in ms.text
    assert {"en": "T.MMR, per 100,000 live births", "id": "T.MMR, per 100.000 kelahiran hidup"}[
        lang
    ] in ms.text
    assert 'id="translation-note"' not in page.text + ms.text
    index = site.get(f"/progress?lang={lang}")
    assert index.status_code == 200 and "/progress/plans/aphda" in index.text
    assert site.get(f"/progress/sectors/health?lang={lang}").status_code == 200


def test_json_twins_api_and_cli(site, progress_url, monkeypatch):  # noqa: F811
    twin = site.get("/progress/plans/aphda.json").json()
    assert row(twin, "T.LIFE")["cells"]["IDN"]["reason"] is None
    api = site.get("/api/v1/progress/plans/aphda").json()
    assert row(api, "T.LIFE")["regional"]["status"] == "moderate_progress"
    assert site.get("/api/v1/progress/plans/nope").status_code == 404
    assert site.get("/api/v1/progress/plans/aphda?base=99").status_code == 422
    assert site.get("/progress/plans/aphda?base=abc").status_code == 422
    assert site.get("/api/v1/progress/method").json()["target_thresholds"]["high"] == 0.95
    monkeypatch.setenv("DATABASE_URL", progress_url)
    r = CliRunner().invoke(cli, ["progress", "scorecard", "--sector", "health"])
    assert (
        r.exit_code == 0 and "T.LIFE" in r.output and "moderate" in r.output and "substantial" in r.output
    ), r.output
    assert CliRunner().invoke(cli, ["progress", "scorecard"]).exit_code == 1
