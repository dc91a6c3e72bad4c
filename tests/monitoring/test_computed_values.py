"""Computed indicator values on hand-made data, on SQLite and PostgreSQL: the quotient of the
published inputs only, no value for a zero or missing denominator, idempotent recompute, a new
revision when an input changes, recompute on approval; the page and the API show the formula and
the plan outcomes that use an indicator, in English and Indonesian."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from ascc.accounts.schemas import Principal, Role
from ascc.app import create_app
from ascc.config import Settings
from ascc.db.engine import make_engine
from ascc.db.uow import unit_of_work
from ascc.monitoring import computed, signoff
from ascc.monitoring.models import Observation
from ascc.results.models import FrameworkElement
from ascc.wiring import session_factory
from tests.conftest import make_user
from tests.monitoring.conftest import PLAIN_HEADER, run_import, write

SECRETARIAT = Principal(user_id=1, name="officer", role=Role.secretariat)
FOCAL_POINT = Principal(user_id=2, name="fp", role=Role.focal_point, member_state="IDN")
CODE = "T.MORT.P100K"
DEFINITION = {
    "code": CODE,
    "name_en": "Deaths due to disaster per 100,000 population",
    "name_id": "Kematian akibat bencana per 100.000 penduduk",
    "unit": "per 100,000 population",
    "direction": "lower",
    "numerator": "VC_DSR_MORT",
    "denominator": "SP.POP.TOTL",
    "multiplier": 100000,
    "sources": [{"quote": "SDG indicator 1.5.1", "url": "https://unstats.un.org/sdgs/metadata/"}],
}


def run(url, fn, **kwargs):
    engine = make_engine(url)
    try:
        with unit_of_work(session_factory(engine)) as session:
            session.info["actor"] = "test"
            return fn(session, **kwargs)
    finally:
        engine.dispose()


def current(session, code=CODE):
    """``{(member_state, period): (value, revision, approval)}`` of the current rows."""
    rows = session.scalars(
        sa.select(Observation).where(Observation.indicator_code == code, Observation.is_current.is_(True))
    )
    return {(r.member_state, r.period): (r.value, r.revision, r.approval) for r in rows}


def imp(url, tmp, name, rows, approval="approved"):
    report = run_import(url, write(tmp, name, PLAIN_HEADER + rows), approval=approval)
    assert report.ok, report.problems
    return report


@pytest.fixture(scope="module")
def world(mon_url, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("computed")
    # IDN: 50 deaths, 200 000 people; MYS: a zero population; PHL: deaths but no population
    imp(
        mon_url,
        tmp,
        "base.csv",
        "SP.POP.TOTL,IDN,2020,200000,persons,WDI,\n"
        "SP.POP.TOTL,MYS,2020,0,persons,WDI,\nVC_DSR_MORT,IDN,2020,50,persons,UNSDG,\n"
        "VC_DSR_MORT,MYS,2020,3,persons,UNSDG,\nVC_DSR_MORT,PHL,2020,7,persons,UNSDG,\n",
    )
    run(mon_url, lambda s: computed.define(s, [DEFINITION]))

    def outcome(session):
        session.add(
            FrameworkElement(
                plan_id="asean-community-vision-2025",
                code="G9.O9",
                kind="outcome",
                position=999,
                title_en="Fewer people die in disasters",
                title_id="Lebih sedikit orang meninggal karena bencana",
                indicators=["VC_DSR_MORT", CODE],
            )
        )

    run(mon_url, outcome)
    return {"url": mon_url, "tmp": tmp}


def test_compute_pairs_published_inputs_and_skips_zero_or_missing_denominators(world):
    url = world["url"]
    report = run(url, computed.recompute)
    assert (report.inserted, report.revised, report.unchanged) == (1, 0, 0)
    assert run(url, current) == {("IDN", "2020"): (pytest.approx(25.0), 1, "approved")}
    row = run(
        url, lambda s: s.scalars(sa.select(Observation).where(Observation.indicator_code == CODE)).one()
    )
    assert row.source == "computed: VC_DSR_MORT / SP.POP.TOTL × 100 000"
    assert "published values of VC_DSR_MORT and SP.POP.TOTL" in row.note
    # running it again changes nothing: no new revision, no batch
    again = run(url, computed.recompute)
    assert (again.inserted, again.revised, again.unchanged, again.batch_id) == (0, 0, 1, None)


def test_a_changed_input_gives_a_new_revision_and_a_draft_input_is_ignored(world):
    url, tmp = world["url"], world["tmp"]
    run(url, computed.recompute)
    imp(url, tmp, "pop2.csv", "SP.POP.TOTL,IDN,2020,250000,persons,WDI,\n")
    report = run(url, computed.recompute)
    assert (report.revised, report.inserted) == (1, 0)
    assert run(url, current) == {("IDN", "2020"): (pytest.approx(20.0), 2, "approved")}
    # a draft value of an input is not published: the computed value does not move
    imp(url, tmp, "draft.csv", "VC_DSR_MORT,IDN,2020,999,persons,BPS,\n", approval="draft")
    report = run(url, computed.recompute)
    assert (report.inserted, report.revised, report.unchanged) == (0, 0, 1)
    assert run(url, current)[("IDN", "2020")][:2] == (pytest.approx(20.0), 2)


def test_approving_a_submission_recomputes_in_the_same_transaction(world):
    url, tmp = world["url"], world["tmp"]
    run(url, computed.recompute)
    imp(url, tmp, "draft2.csv", "VC_DSR_MORT,IDN,2020,100,persons,BPS,\n", approval="draft")
    sub = run(url, lambda s: signoff.submit(s, principal=FOCAL_POINT, member_state="IDN"))
    before = run(url, current)[("IDN", "2020")]
    run(
        url,
        lambda s: signoff.review(
            s, principal=SECRETARIAT, submission_id=sub["id"], decision="approved", if_match=sub["etag"]
        ),
    )
    value, revision, approval = run(url, current)[("IDN", "2020")]
    assert (
        value == pytest.approx(100 / 250000 * 100000) and revision == before[1] + 1 and approval == "approved"
    )
    # a zero denominator now: the value is withdrawn by a revision without a value
    imp(url, tmp, "zero.csv", "SP.POP.TOTL,IDN,2020,0,persons,WDI,\n")
    report = run(url, computed.recompute)
    assert report.withdrawn == 1
    assert run(url, current)[("IDN", "2020")][0] is None
    assert run(url, computed.recompute).withdrawn == 0  # and stays withdrawn without new revisions
    imp(url, tmp, "back.csv", "SP.POP.TOTL,IDN,2020,250000,persons,WDI,\n")
    run(url, computed.recompute)


@pytest.mark.parametrize("lang", ["en", "id"])
def test_page_and_api_show_formula_and_linked_outcomes(world, lang):
    run(world["url"], computed.recompute)
    with TestClient(create_app(Settings(database_url=world["url"]))) as client:
        api = client.get(f"/api/v1/indicators/{CODE}").json()
        assert api["computed"] == {
            "numerator": "VC_DSR_MORT",
            "denominator": "SP.POP.TOTL",
            "multiplier": 100000.0,
            "text": "VC_DSR_MORT / SP.POP.TOTL × 100 000",
        }
        assert [(o["plan"], o["code"], o["url"]) for o in api["outcomes"]] == [
            ("asean-community-vision-2025", "G9.O9", "/plans/asean-community-vision-2025#G9.O9")
        ]
        obs = client.get(f"/api/v1/indicators/{CODE}/observations").json()["items"]
        stored = run(world["url"], current)[("IDN", "2020")][0]
        assert [(o["member_state"], o["value"]) for o in obs] == [("IDN", pytest.approx(stored))]
        assert client.get("/api/v1/indicators/SP.POP.TOTL").json()["computed"] is None
        page = client.get(f"/indicators/{CODE}", headers={"Accept-Language": lang})
        assert page.status_code == 200
        html = page.text
        assert 'id="formula"' in html and 'href="/indicators/VC_DSR_MORT"' in html and "× 100 000" in html
        assert 'href="/plans/asean-community-vision-2025#G9.O9"' in html
        if lang == "en":
            assert "Formula" in html and "Plan outcomes measured by this indicator" in html
            assert "Fewer people die in disasters" in html
        else:
            assert "Rumus" in html and "Hasil rencana yang diukur dengan indikator ini" in html
            assert "Lebih sedikit orang meninggal karena bencana" in html
        plain = client.get("/indicators/VC_DSR_MORT", headers={"Accept-Language": lang}).text
        assert 'id="formula"' not in plain and 'href="/plans/asean-community-vision-2025#G9.O9"' in plain


#: a computed indicator of two inputs of the catalogue: the share of 15-24 year olds
YOUTH = {
    "code": "T.YOUTH.ZS",
    "name_en": "Youth share",
    "unit": "% of total population",
    "numerator": "WPP.POP.1524",
    "denominator": "SP.POP.TOTL",
    "multiplier": 100,
    "sources": [{"quote": "youth: ages 15 to 24"}],
}


def test_api_definitions_are_for_the_secretariat_only_and_all_or_nothing(world):
    url = world["url"]
    officer = make_user(url, email="officer-computed@asean.org")
    fp = make_user(url, email="fp-computed@bps.go.id", role="focal_point", member_state="IDN")
    youth = YOUTH
    body = {"definitions": [youth]}
    with TestClient(create_app(Settings(database_url=url))) as client:
        assert client.post("/api/v1/indicators/computed", json=body).status_code == 401
        denied = client.post(
            "/api/v1/indicators/computed", json=body, headers={"Authorization": f"Bearer {fp}"}
        )
        assert denied.status_code == 403
        bad = client.post(
            "/api/v1/indicators/computed",
            headers={"Authorization": f"Bearer {officer}"},
            json={"definitions": [youth, youth | {"code": "T.BAD", "multiplier": -1}]},
        )
        assert bad.status_code == 422
        assert [p["field"] for p in bad.json()["problems"]] == ["definitions[1].multiplier"]
        assert client.get("/api/v1/indicators/T.YOUTH.ZS").status_code == 404
        ok = client.post(
            "/api/v1/indicators/computed", json=body, headers={"Authorization": f"Bearer {officer}"}
        )
        assert ok.status_code == 200, ok.text
        assert (ok.json()["created"], ok.json()["indicators"]) == (1, ["T.YOUTH.ZS"])
        assert client.get("/api/v1/indicators/T.YOUTH.ZS").json()["computed"]["multiplier"] == 100


def test_values_of_a_computed_indicator_are_recomputed_not_imported(world):
    before = run(world["url"], current)
    path = write(
        world["tmp"], "direct.csv", PLAIN_HEADER + f'{CODE},IDN,2021,12,"per 100,000 population",X,\n'
    )
    report = run_import(world["url"], path, approval="approved")
    assert report.ok and report.inserted == 0, [str(p) for p in report.problems]
    assert any(
        f"row(s) of computed indicators ({CODE}) were not imported: recomputed" in n for n in report.notes
    )
    # the file's 12 is not stored: the values are those computed from the inputs
    assert run(world["url"], current) == before
    assert run(world["url"], current).get(("IDN", "2021"), (None,))[0] != 12


def test_quotients_keep_six_significant_digits_and_skip_zero_denominators():
    from ascc.monitoring.computed import quotients

    key, other, zero = ("IDN", "", "2020", "_T", "_T", "_T"), ("MYS", "", "2020", "_T", "_T", "_T"), ("SGP",)
    num = {key: (1.0, "final"), other: (2.0, "provisional"), zero: (5.0, "final")}
    den = {key: (3.0, "final"), other: (7.0, "final"), zero: (0.0, "final")}
    assert quotients(num, den, 100000) == {key: (33333.3, "final"), other: (28571.4, "provisional")}
