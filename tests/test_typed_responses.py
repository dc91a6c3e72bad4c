"""Typed response models (issue 22), on SQLite and PostgreSQL: every route of the national plans,
funds, disasters and progress APIs that declares a response model is called on a loaded database,
and each answer is validated against the schema the route declares in the app's ``/openapi.json``
(``tests.openapi_shapes.Checked``: an undeclared key, a missing one or a wrong type fails). Each
test then requires that it reached every typed route of its module. A guard keeps the routes that
still answer with an untyped ``dict`` to the ones named here: the list may only shrink."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from ascc.app import create_app
from ascc.config import Settings
from ascc.db.engine import make_engine
from ascc.db.uow import unit_of_work
from ascc.national import demo
from ascc.wiring import session_factory
from tests.conftest import load_built
from tests.openapi_shapes import Checked
from tests.test_national import MEASURE, OUTCOME, PLAN, REGIONAL, RESULT, frameworks_and_accounts

HAZE_OUTPUT = "haze-roadmap-2016/G1.O1.P1"


def _checked(url: str):
    app = create_app(Settings(database_url=url))
    with TestClient(app) as client:
        yield Checked(app, client)


@pytest.fixture
def national(fresh_url, reference):
    """The national plans' loaded database (the template ``tests.test_national`` builds) with the
    seeded plans of Viet Nam; a checked client and the accounts' tokens."""
    tokens = load_built(fresh_url, reference, "national-world", frameworks_and_accounts)
    engine = make_engine(fresh_url)
    with unit_of_work(session_factory(engine)) as session:
        session.info["actor"] = "cli:test"
        demo.load_demo(session)
    engine.dispose()
    for checked in _checked(fresh_url):
        yield checked, tokens


def _as(tokens, who):
    return {"Authorization": f"Bearer {tokens[who]}"}


def test_every_national_plan_route_answers_its_declared_shape(national):
    api, tokens = national
    vnm = _as(tokens, "VNM")

    def step(method: str, path: str, body=None, status: int = 200, **params) -> dict:
        plan_path = "/api/v1/national-plans/" + path.split("/")[0]
        etag = api.client.get(plan_path).headers["etag"]
        r = api.request(
            method,
            f"/api/v1/national-plans/{path}",
            json=body,
            params=params,
            headers=vnm | {"If-Match": etag},
        )
        assert r.status_code == status, r.text
        return r.json()

    seeded = api.get("/api/v1/national-plans", params={"member_state": "VNM"}).json()["items"]
    assert len(seeded) == 2 and all(p["sources"] for p in seeded)
    for p in seeded:
        assert api.get(f"/api/v1/national-plans/{p['id']}").json()["id"] == p["id"]
    r = api.post("/api/v1/national-plans", json=PLAN, headers=vnm)
    assert r.status_code == 201, r.text
    plan = r.json()["id"]
    step("PUT", f"{plan}", PLAN | {"note": "Typed", "sources": [{"url": "https://example.gov.vn/plan"}]})
    step("POST", f"{plan}/measures", MEASURE)
    step("POST", f"{plan}/measures", MEASURE | {"code": "M2", "title_en": "Haze"})
    step("POST", f"{plan}/measures/M1/alignments", {"element": OUTCOME, "kind": "implements", "note": "n"})
    step("POST", f"{plan}/measures/M2/alignments", {"element": HAZE_OUTPUT, "kind": "adapts"})
    step("POST", f"{plan}/measures/M2/alignments", {"element": f"{REGIONAL}/G1.O1", "kind": "adapts"})
    step("DELETE", f"{plan}/measures/M2/alignments", element=f"{REGIONAL}/G1.O1")
    step("POST", f"{plan}/results", RESULT)
    step(
        "POST", f"{plan}/results", {"label_en": "Whole plan", "value": 3, "source_url": RESULT["source_url"]}
    )
    deadline = "2100-01-01"
    step("POST", f"{plan}/consultation", {"ministries": ["Ministry of Finance"], "deadline": deadline})
    detail = step("POST", f"{plan}/comments", {"ministry": "Ministry of Finance", "text": "Cost it."})
    comment = detail["comments"][0]["id"]
    step("PUT", f"{plan}/comments/{comment}/handling", {"handling": "not_accepted", "note": "Later."})
    adopted = step("POST", f"{plan}/adopt")
    assert adopted["status"] == "adopted" and adopted["comments"][0]["handling_name"]["en"] == "Not accepted"
    assert adopted["measures"][0]["alignments"][0]["element"]["key"] == OUTCOME
    matrix = api.get(f"/api/v1/plans/{REGIONAL}/alignment").json()
    assert plan in [p["id"] for p in matrix["national_plans"]["VNM"]]
    assert api.get("/api/v1/plans/haze-roadmap-2016/alignment").json()["rows"]
    coverage = api.get("/api/v1/member-states/VNM/alignment").json()
    assert coverage["covered"] == 1
    haze = api.get("/api/v1/member-states/VNM/alignment", params={"plan": "haze-roadmap-2016"}).json()
    assert [m["output"] for o in haze["outcomes"] for m in o["measures"]] == ["G1.O1.P1"]
    assert api.unchecked("national") == set()
