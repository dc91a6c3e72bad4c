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
from ascc.funds import service as funds_service
from ascc.national import demo
from ascc.results import framework
from ascc.wiring import session_factory
from tests.conftest import if_match, load_built, make_user
from tests.openapi_shapes import Checked
from tests.test_decisions import MEMBERS
from tests.test_funds import open_call, proposal_body
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


def _funds_world(url: str) -> dict[str, str]:
    """The results frameworks, the funds of the reference data and the accounts: their tokens."""
    engine = make_engine(url)
    with unit_of_work(session_factory(engine)) as session:
        framework.load_frameworks(session, elements=framework.read_frameworks(session))
        funds_service.load_funds(session)
    engine.dispose()
    tokens = {
        "secretariat": make_user(url, email="officer@asean.org"),
        "chair": make_user(url, email="chair@coci.example", role="chair", body_id="coci"),
        "chair2": make_user(url, email="vice@coci.example", role="chair", body_id="coci"),
    }
    for code in MEMBERS:
        tokens[code] = make_user(
            url, email=f"fp@{code.lower()}.example", role="focal_point", member_state=code
        )
    return tokens


@pytest.fixture
def funds(fresh_url, reference):
    tokens = load_built(fresh_url, reference, "typed-funds", _funds_world)
    for checked in _checked(fresh_url):
        yield checked, tokens


def test_every_fund_route_answers_its_declared_shape(funds):
    api, tokens = funds

    def write(method: str, path: str, who: str, body=None) -> dict:
        record = path.rsplit("/", 1)[0] if path.count("/") == 5 else path  # a proposal's step: the proposal
        r = api.request(method, path, json=body, headers=if_match(api.client, record, _as(tokens, who)))
        assert r.status_code == 200, r.text
        return r.json()

    listed = api.get("/api/v1/funds").json()["items"]
    assert {f["id"] for f in listed} >= {"acf", "asean-haze-fund"}
    fund = write(
        "PUT", "/api/v1/funds/acf", "chair", {"rules_en": "Rules.", "budget": "100000", "currency": "USD"}
    )
    assert fund["budget"] == 100000
    assert api.get("/api/v1/funds/acf").json()["rules"]["en"] == "Rules."
    call = open_call(api, tokens)
    cpath = f"/api/v1/fund-calls/{call['id']}"
    body = {k: call[k] for k in ("themes", "eligibility", "required_documents", "criteria")}
    write(
        "PUT",
        cpath,
        "chair",
        body | {"title_en": call["title"]["en"], "ceiling": "50000", "deadline": call["deadline"]},
    )
    assert api.get(cpath).json()["open"] is True
    assert api.get("/api/v1/fund-calls", params={"fund": "acf"}).json()["items"]
    r = api.post("/api/v1/fund-proposals", json=proposal_body(call["id"]), headers=_as(tokens, "IDN"))
    assert r.status_code == 201, r.text
    path = f"/api/v1/fund-proposals/{r.json()['id']}"
    update = proposal_body(call["id"])
    del update["call_id"], update["member_state"]
    write("PUT", path, "IDN", update | {"summary": "A festival of traditional textiles, revised."})
    assert api.get("/api/v1/fund-proposals", headers=_as(tokens, "chair")).json()["items"]
    write("POST", f"{path}/eligibility", "chair", {"eligible": True, "reason": "Two member states."})
    write("POST", f"{path}/conflicts", "chair2", {"reason": "I advised the ministry."})
    write("POST", f"{path}/scores", "chair", {"scores": {"relevance": 8, "feasibility": 4}, "comment": "ok"})
    detail = write("POST", f"{path}/recommendation", "chair", {"recommendation": "fund", "amount": "25000"})
    assert detail["decision"]["stage"] == "identify"
    dpath = f"/api/v1/decisions/{detail['decision_item_id']}"
    for to in ("consult", "formulate"):
        assert api.client.post(
            f"{dpath}/stage", json={"to": to}, headers=if_match(api.client, dpath, _as(tokens, "chair"))
        ).is_success
    assert api.client.post(
        f"{dpath}/proposals",
        json={"text_en": "Fund it."},
        headers=if_match(api.client, dpath, _as(tokens, "chair")),
    ).is_success
    for code in MEMBERS:
        headers = if_match(api.client, dpath, _as(tokens, code))
        assert api.client.post(
            f"{dpath}/positions", json={"member_state": code, "kind": "join"}, headers=headers
        ).is_success
    assert api.client.post(
        f"{dpath}/adopt", headers=if_match(api.client, dpath, _as(tokens, "chair"))
    ).is_success
    start = {"planned_start": "2027-01-01", "planned_end": "2027-12-31"}
    assert write("POST", f"{path}/project", "chair", start)["status"] == "funded"
    write("POST", f"{path}/reports", "IDN", {"text": "Venue booked.", "spent": "9000.50"})
    closed = write("POST", f"{path}/closure", "chair", {"closed_on": "2027-12-20", "text": "Done."})
    assert closed["status"] == "closed" and closed["reports"][0]["spent"] == 9000.5
    assert api.get(path, headers=_as(tokens, "IDN")).json()["decision"]["adopted_on"]
    projects = api.get("/api/v1/funds/projects").json()
    assert projects["items"] and projects["totals"][0]["amount"] == 25000
    assert api.unchecked("funds") == set()
