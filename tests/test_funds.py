"""Fund calls and proposal review through the API, on SQLite and PostgreSQL: the whole path from a
call to a funded, closed project; who may read and write what; late and foreign submissions."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from ascc.app import create_app
from ascc.config import Settings
from ascc.db.engine import make_engine
from ascc.db.uow import unit_of_work
from ascc.funds import service as funds_service
from ascc.kit import clock
from ascc.results import framework
from ascc.wiring import session_factory
from tests.conftest import BACKENDS, if_match, load, make_user
from tests.test_decisions import MEMBERS, auth
from tests.test_positions_form import hidden, signed_in

OUTCOME = "hanoi-plan-of-action/G1.O1"
CRITERIA = [
    {"key": "relevance", "name_en": "Relevance to the call's themes", "name_id": "Relevansi", "weight": 3},
    {"key": "feasibility", "name_en": "Feasibility and budget", "name_id": "Kelayakan", "weight": 1},
]


def _unit(url):
    engine = make_engine(url)
    return engine, unit_of_work(session_factory(engine))


@pytest.fixture(scope="module", params=BACKENDS)
def world(request, new_database, reference):
    url = new_database(request.param)
    load(url, reference)
    engine, uow = _unit(url)
    with uow as session:
        framework.load_frameworks(session, elements=framework.read_frameworks(session))
        assert funds_service.load_funds(session) == (2, 0)
    with unit_of_work(session_factory(engine)) as session:
        assert funds_service.load_funds(session) == (0, 2)  # idempotent
    engine.dispose()
    tokens = {
        "secretariat": make_user(url, email="officer@asean.org"),
        "chair": make_user(url, email="chair@coci.example", role="chair", body_id="coci"),
        "chair2": make_user(url, email="vice@coci.example", role="chair", body_id="coci"),
        "other_chair": make_user(url, email="chair@acw.example", role="chair", body_id="acw"),
        "haze_chair": make_user(url, email="chair@cop.example", role="chair", body_id="cop-aathp"),
        "partner": make_user(url, email="observer@mofa.go.jp", role="partner", partner_id="JPN"),
    }
    for code in MEMBERS:
        tokens[code] = make_user(
            url, email=f"fp@{code.lower()}.example", role="focal_point", member_state=code
        )
    with TestClient(create_app(Settings(database_url=url))) as client:
        yield client, tokens, url


def fresh(client, tokens, who, path):
    return if_match(client, path, auth(tokens, who))


def open_call(client, tokens, *, who="chair", deadline=None, **extra) -> dict:
    deadline = deadline or (clock.now() + dt.timedelta(days=30))
    body = {
        "fund_id": "acf",
        "title_en": "Cultural heritage and the arts 2027",
        "title_id": "Warisan budaya dan seni 2027",
        "themes": ["heritage", "arts"],
        "eligibility": "Projects of at least two member states.",
        "ceiling": "50000",
        "currency": "USD",
        "deadline": deadline.isoformat(),
        "required_documents": ["Project document", "Letter of endorsement"],
        "criteria": CRITERIA,
    } | extra
    r = client.post("/api/v1/fund-calls", json=body, headers=auth(tokens, who))
    assert r.status_code == 201, r.text
    return r.json()


def proposal_body(call_id, member_state="IDN", **extra) -> dict:
    return {
        "call_id": call_id,
        "member_state": member_state,
        "title_en": "ASEAN traditional textiles festival",
        "title_id": "Festival kain tradisional ASEAN",
        "summary": "A festival of traditional textiles.",
        "requested": "30000",
        "budget_lines": [
            {"item": "Venue", "amount": "10000"},
            {"item": "Travel of artisans", "amount": "20000"},
        ],
        "partners": ["Ministry of Education, Culture, Research and Technology"],
        "outcomes": [OUTCOME],
        "documents": [{"name": "Project document", "url": "https://example.org/textiles.pdf"}],
    } | extra


def submit(client, tokens, call_id, who="IDN", **extra):
    return client.post(
        "/api/v1/fund-proposals", json=proposal_body(call_id, **extra), headers=auth(tokens, who)
    )


def notifications(url, kind) -> list[tuple[str, str]]:
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT u.email, n.subject FROM notifications n JOIN users u ON u.id = n.user_id "
                "WHERE n.kind = :k ORDER BY n.id"
            ),
            {"k": kind},
        ).all()
    engine.dispose()
    return [tuple(r) for r in rows]


def test_the_whole_path_from_call_to_closed_project(world):
    client, tokens, url = world
    funds = {f["id"]: f for f in client.get("/api/v1/funds").json()["items"]}
    assert funds["acf"]["owner_body"] == "coci" and funds["acf"]["budget"] is None
    assert funds["asean-haze-fund"]["owner_body"] == "cop-aathp"
    assert any("ASEAN Cultural Fund" in src["quote"] for src in funds["acf"]["sources"])

    before = len(notifications(url, "fund_call_opened"))
    call = open_call(client, tokens)
    opened = notifications(url, "fund_call_opened")[before:]
    assert {e for e, _ in opened} == {
        f"fp@{c.lower()}.example" for c in MEMBERS
    }  # every member state's focal point
    # the haze fund's chair does not open calls of the cultural fund
    r = client.post(
        "/api/v1/fund-calls",
        headers=auth(tokens, "haze_chair"),
        json={
            "fund_id": "acf",
            "title_en": "x" * 5,
            "ceiling": "1",
            "currency": "USD",
            "deadline": "2099-01-01T00:00:00Z",
            "criteria": CRITERIA,
        },
    )
    assert r.status_code == 403

    # bad input is refused, naming the field
    over = submit(
        client, tokens, call["id"], requested="60000", budget_lines=[{"item": "All", "amount": "60000"}]
    )
    assert over.status_code == 422 and "ceiling of 50000" in over.json()["detail"]
    lines = submit(client, tokens, call["id"], budget_lines=[{"item": "Venue", "amount": "1"}])
    assert lines.status_code == 422 and "add up to 1" in lines.json()["detail"]
    assert submit(client, tokens, call["id"], outcomes=["nope/G9"]).status_code == 422

    before = len(notifications(url, "fund_proposal_submitted"))
    r = submit(client, tokens, call["id"])
    assert r.status_code == 201, r.text
    proposal = r.json()
    assert proposal["status"] == "submitted" and proposal["missing_documents"] == ["Letter of endorsement"]
    told = {e for e, _ in notifications(url, "fund_proposal_submitted")[before:]}
    assert told == {"officer@asean.org", "chair@coci.example", "vice@coci.example"}
    path = f"/api/v1/fund-proposals/{proposal['id']}"

    # review: eligibility, a conflict of interest, scores
    stale = fresh(client, tokens, "chair", path)
    r = client.post(
        f"{path}/eligibility",
        json={"eligible": True, "reason": "Two member states take part."},
        headers=fresh(client, tokens, "chair", path),
    )
    assert r.status_code == 200 and r.json()["status"] == "eligible"
    assert (
        client.post(
            f"{path}/eligibility", json={"eligible": False, "reason": "late"}, headers=stale
        ).status_code
        == 412
    )
    assert (
        client.post(
            f"{path}/eligibility", json={"eligible": False, "reason": "x"}, headers=auth(tokens, "chair")
        ).status_code
        == 428
    )
    r = client.post(
        f"{path}/conflicts",
        json={"reason": "I advised the Indonesian ministry on this festival."},
        headers=fresh(client, tokens, "chair2", path),
    )
    assert r.status_code == 200
    r = client.post(
        f"{path}/scores",
        json={"scores": {"relevance": 9, "feasibility": 7}},
        headers=fresh(client, tokens, "chair2", path),
    )
    assert r.status_code == 409 and "conflict of interest" in r.json()["detail"]
    r = client.post(
        f"{path}/scores",
        json={"scores": {"relevance": 8, "cost": 5}},
        headers=fresh(client, tokens, "chair", path),
    )
    assert r.status_code == 422 and "cost" in r.json()["detail"]
    r = client.post(
        f"{path}/scores", json={"scores": {"relevance": 11}}, headers=fresh(client, tokens, "chair", path)
    )
    assert r.status_code == 422
    for who, scores in (
        ("chair", {"relevance": 8, "feasibility": 4}),
        ("secretariat", {"relevance": 6, "feasibility": 6}),
    ):
        r = client.post(
            f"{path}/scores",
            json={"scores": scores, "comment": "ok"},
            headers=fresh(client, tokens, who, path),
        )
        assert r.status_code == 200, r.text
    detail = r.json()
    assert sorted(rv["weighted"] for rv in detail["reviews"]) == [6.0, 7.0] and detail["score"] == 6.5
    assert [c["reason"] for c in detail["conflicts"]] == [
        "I advised the Indonesian ministry on this festival."
    ]
    assert all("vice" not in rv["reviewer"].lower() for rv in detail["reviews"])

    # the recommendation goes to the decision cycle of the owner body
    r = client.post(
        f"{path}/recommendation",
        json={"recommendation": "fund", "amount": "40000"},
        headers=fresh(client, tokens, "chair", path),
    )
    assert r.status_code == 422 and "more than the 30000" in r.json()["detail"]
    r = client.post(
        f"{path}/recommendation",
        json={"recommendation": "fund", "amount": "25000", "text": "Strong."},
        headers=fresh(client, tokens, "chair", path),
    )
    assert r.status_code == 200, r.text
    item = r.json()["decision_item_id"]
    assert r.json()["status"] == "recommended"
    decision = client.get(f"/api/v1/decisions/{item}", headers=auth(tokens, "secretariat")).json()
    assert decision["body_id"] == "coci" and "25000" in decision["title_en"]
    start = {
        "planned_start": "2027-01-01",
        "planned_end": "2027-12-31",
        "reporting_org_ref": "XM-ASEAN",
        "reporting_org_type": "40",
        "reporting_org_name": "ASEAN Secretariat",
        "local_id": f"ACF-{proposal['id']}",
        "sector": "culture",  # the IATI rulesets need a sector (6.2.2)
    }
    r = client.post(f"{path}/project", json=start, headers=fresh(client, tokens, "chair", path))
    assert r.status_code == 409 and "approved" in r.json()["detail"]  # not adopted yet

    dpath = f"/api/v1/decisions/{item}"
    for to in ("consult", "formulate"):
        assert client.post(
            f"{dpath}/stage", json={"to": to}, headers=fresh(client, tokens, "chair", dpath)
        ).is_success
    assert client.post(
        f"{dpath}/proposals",
        json={"text_en": "Fund the festival with USD 25,000."},
        headers=fresh(client, tokens, "chair", dpath),
    ).is_success
    for code in MEMBERS:
        r = client.post(
            f"{dpath}/positions",
            json={"member_state": code, "kind": "join"},
            headers=fresh(client, tokens, code, dpath),
        )
        assert r.status_code == 200, r.text
    before = len(notifications(url, "fund_proposal_decided"))
    assert client.post(f"{dpath}/adopt", headers=fresh(client, tokens, "chair", dpath)).status_code == 200
    decided = notifications(url, "fund_proposal_decided")[before:]
    assert [e for e, _ in decided] == ["fp@idn.example"]
    assert client.get(path, headers=auth(tokens, "IDN")).json()["status"] == "approved"  # derived when read

    # the approved proposal becomes a results activity with its budget, in the IATI export
    r = client.post(f"{path}/project", json=start, headers=fresh(client, tokens, "chair", path))
    assert r.status_code == 200, r.text
    activity_id = r.json()["activity_id"]
    activity = client.get(f"/api/v1/activities/{activity_id}").json()
    assert float(activity["budget"]) == 25000 and activity["currency"] == "USD"
    assert activity["member_states"] == ["IDN"] and activity["decisions"] == [item]
    assert [o["key"] for o in activity["outcomes"]] == [OUTCOME] and activity["responsible_body"] == "coci"
    assert activity["sector"] == "culture"
    xml = client.get("/api/v1/activities.xml", params={"id": activity_id})
    assert xml.status_code == 200, xml.text
    assert "ASEAN traditional textiles festival" in xml.text and "25000" in xml.text

    # progress and closure
    r = client.post(
        f"{path}/reports",
        json={"text": "Venue booked.", "spent": "9000"},
        headers=fresh(client, tokens, "IDN", path),
    )
    assert r.status_code == 200 and r.json()["reports"][0]["text"] == "Venue booked."
    r = client.post(f"{path}/reports", json={"text": "x"}, headers=auth(tokens, "VNM") | {"If-Match": "*"})
    assert r.status_code == 404  # another member state's focal point does not see the proposal
    r = client.post(
        f"{path}/closure",
        json={"closed_on": "2026-01-01", "text": "Done."},
        headers=fresh(client, tokens, "chair", path),
    )
    assert r.status_code == 422 and "before the project's start" in r.json()["detail"]
    r = client.post(
        f"{path}/closure",
        json={"closed_on": "2027-12-20", "text": "Festival held; final report filed."},
        headers=fresh(client, tokens, "chair", path),
    )
    assert r.status_code == 200 and r.json()["status"] == "closed"
    activity = client.get(f"/api/v1/activities/{activity_id}").json()
    assert activity["status"] == 4 and activity["actual_end"] == "2027-12-20"

    # public: the funded project with its amount by member state and year
    year = dt.date.today().year
    projects = client.get("/api/v1/funds/projects").json()
    mine = [p for p in projects["items"] if p["proposal_id"] == proposal["id"]]
    assert (
        mine
        and mine[0]["member_state"] == "IDN"
        and float(mine[0]["amount"]) == 25000
        and mine[0]["year"] == year
    )
    assert any(t["member_state"] == "IDN" and t["year"] == year for t in projects["totals"])
    assert "reviews" not in mine[0] and "Strong." not in str(projects)
    assert client.get("/api/v1/funds/projects", params={"member_state": "VNM"}).json()["items"] == []


def test_a_focal_point_submits_for_its_own_member_state_only(world):
    client, tokens, url = world
    call = open_call(client, tokens, who="secretariat")
    r = submit(client, tokens, call["id"], who="VNM")  # VNM's focal point, for IDN
    assert r.status_code == 403 and "VNM cannot submit for IDN" in r.json()["detail"]
    for who in ("chair", "secretariat", "partner"):
        assert submit(client, tokens, call["id"], who=who).status_code == 403
    assert submit(client, tokens, call["id"], who="public").status_code == 401
    assert submit(client, tokens, call["id"], who="VNM", member_state="VNM").status_code == 201
    # a focal point limited to sectors the fund's owner body does not cover (COCI: culture)
    health = make_user(
        url, email="health@kemkes.example", role="focal_point", member_state="IDN", sectors=["health"]
    )
    r = client.post(
        "/api/v1/fund-proposals",
        json=proposal_body(call["id"]),
        headers={"Authorization": f"Bearer {health}"},
    )
    assert r.status_code == 403 and "culture" in r.json()["detail"]


def test_a_late_submission_is_refused(world):
    client, tokens, _ = world
    deadline = clock.now() + dt.timedelta(hours=1)
    call = open_call(client, tokens, deadline=deadline)
    r = submit(client, tokens, call["id"])
    assert r.status_code == 201
    path = f"/api/v1/fund-proposals/{r.json()['id']}"
    headers = fresh(client, tokens, "IDN", path)
    public = f"/funds/calls/{call['id']}.json"
    assert client.get(public).json()["call"]["open"] is True  # kept by the public response cache …
    with clock.frozen(deadline + dt.timedelta(minutes=1)):
        assert client.get(public).json()["call"]["open"] is False  # … only until the deadline
        late = submit(client, tokens, call["id"], member_state="MYS", who="MYS")
        assert late.status_code == 409 and "closed on" in late.json()["detail"]
        assert "no longer accepted" in late.json()["detail"]
        body = {k: v for k, v in proposal_body(call["id"]).items() if k not in ("call_id", "member_state")}
        assert client.put(path, json=body | {"summary": "changed"}, headers=headers).status_code == 409
        assert client.get(f"/api/v1/fund-calls/{call['id']}").json()["open"] is False
    r = client.post(
        "/api/v1/fund-calls",
        headers=auth(tokens, "chair"),
        json={
            "fund_id": "acf",
            "title_en": "Past call",
            "ceiling": "1",
            "currency": "USD",
            "deadline": "2020-01-01T00:00:00Z",
            "criteria": CRITERIA,
        },
    )
    assert r.status_code == 422 and "has passed" in r.json()["detail"]


def test_internal_reads_are_hidden_from_the_public_and_partners(world):
    client, tokens, _ = world
    call = open_call(client, tokens)
    r = submit(client, tokens, call["id"], title_en="Qwzk confidential heritage proposal")
    pid = r.json()["id"]
    path = f"/api/v1/fund-proposals/{pid}"
    client.post(
        f"{path}/scores", json={"scores": {"relevance": 5}}, headers=fresh(client, tokens, "chair", path)
    )
    for who in ("public", "partner", "VNM", "other_chair", "haze_chair"):
        assert client.get(path, headers=auth(tokens, who)).status_code == 404, who
        assert "Qwzk" not in client.get("/api/v1/fund-proposals", headers=auth(tokens, who)).text, who
        assert client.get(f"/funds/proposals/{pid}", headers=auth(tokens, who)).status_code == 404, who
        assert "Qwzk" not in client.get(f"/funds/calls/{call['id']}", headers=auth(tokens, who)).text, who
        r = client.post(
            f"{path}/eligibility",
            json={"eligible": True, "reason": "x"},
            headers=auth(tokens, who) | {"If-Match": "*"},
        )
        assert r.status_code in (401, 404), (who, r.status_code)
    for who in ("IDN", "chair", "chair2", "secretariat"):
        assert client.get(path, headers=auth(tokens, who)).status_code == 200, who
        assert "Qwzk" in client.get(f"/funds/proposals/{pid}", headers=auth(tokens, who)).text, who
    assert "Qwzk" in client.get(f"/funds/calls/{call['id']}", headers=auth(tokens, "chair")).text
    assert "Qwzk" not in client.get("/api/v1/funds/projects").text


def test_stale_if_match_is_refused_and_changes_nothing(world):
    client, tokens, _ = world
    fund = "/api/v1/funds/asean-haze-fund"
    old = fresh(client, tokens, "haze_chair", fund)
    r = client.put(
        fund, json={"rules_en": "Financial rules as adopted.", "budget": None, "currency": None}, headers=old
    )
    assert r.status_code == 200 and r.json()["rules"]["en"] == "Financial rules as adopted."
    r = client.put(fund, json={"rules_en": "Other"}, headers=old)
    assert r.status_code == 412
    assert client.get(fund).json()["rules"]["en"] == "Financial rules as adopted."
    assert (
        client.put(
            fund, json={"budget": "100"}, headers=fresh(client, tokens, "haze_chair", fund)
        ).status_code
        == 422
    )
    assert (
        client.put(fund, json={"rules_en": "x"}, headers=fresh(client, tokens, "chair", fund)).status_code
        == 403
    )
    call = open_call(client, tokens)
    r = submit(client, tokens, call["id"])
    path = f"/api/v1/fund-proposals/{r.json()['id']}"
    old = fresh(client, tokens, "IDN", path)
    body = {k: v for k, v in proposal_body(call["id"]).items() if k not in ("call_id", "member_state")}
    assert client.put(path, json=body | {"summary": "First change."}, headers=old).status_code == 200
    assert client.put(path, json=body | {"summary": "Second change."}, headers=old).status_code == 412
    assert client.get(path, headers=auth(tokens, "IDN")).json()["summary"] == "First change."


def test_a_focal_points_and_a_reviewers_path_through_the_pages_in_both_languages(world):
    client, tokens, _ = world
    call = open_call(client, tokens)
    idn = signed_in(client.app, "fp@idn.example")
    page = idn.get(f"/funds/calls/{call['id']}", headers={"Accept-Language": "id"})
    assert (
        page.status_code == 200
        and "Ajukan proposal untuk IDN" in page.text
        and "Warisan budaya dan seni 2027" in page.text
    )
    action = f"/funds/calls/{call['id']}/proposals"
    form = {
        "title_en": "Shadow puppetry workshops",
        "title_id": "Lokakarya wayang",
        "summary": "Workshops.",
        "requested": "90000",
        "budget_lines": "Trainers | 90000",
        "partners": "Puppeteers' guild",
        "outcomes": OUTCOME,
        "documents": "Project document | https://example.org/wayang.pdf",
    }
    r = idn.post(action, data=form | hidden(page.text, action), follow_redirects=False)
    assert (
        r.status_code == 422 and "ceiling of 50000" in r.text and "Lokakarya wayang" in r.text
    )  # typed values kept
    r = idn.post(
        action,
        data=form | {"requested": "12000", "budget_lines": "Trainers | 12000"} | hidden(page.text, action),
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    target = r.headers["location"]
    pid = int(target.rsplit("/", 1)[1])
    page = idn.get(target)
    assert "Shadow puppetry workshops" in page.text and "Change the proposal" in page.text
    assert "Record the eligibility check" not in page.text  # not the focal point's form

    chair = signed_in(client.app, "chair@coci.example")
    page = chair.get(target, headers={"Accept-Language": "id"})
    assert "Pemeriksaan kelayakan" in page.text and "Lokakarya wayang" in page.text
    action = f"{target}/eligibility"
    r = chair.post(
        action,
        data={"eligible": "yes", "reason": "Fits the themes."} | hidden(page.text, action),
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    page = chair.get(target)
    action = f"{target}/scores"
    r = chair.post(
        action,
        data={"score_relevance": "9", "score_feasibility": "6"} | hidden(page.text, action),
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    r = chair.post(action, data={"score_relevance": "9"} | hidden(page.text, action), follow_redirects=False)
    assert r.status_code == 412  # the form's revision is stale now
    got = client.get(f"/api/v1/fund-proposals/{pid}", headers=auth(tokens, "IDN")).json()
    assert got["eligible"] is True and got["reviews"][0]["scores"] == {"relevance": 9, "feasibility": 6}
    assert got["reviews"][0]["weighted"] == 8.25
    assert "Rata-rata skor tertimbang" in idn.get(target, headers={"Accept-Language": "id"}).text
    for c in (idn, chair):
        c.__exit__(None, None, None)


#: every fund write: name → (method, path, body); {call} is an open call, {proposal} an eligible
#: proposal of IDN under it, {fund} the cultural fund
WRITES = {
    "update_fund": ("put", "/api/v1/funds/acf", {"rules_en": "Rules.", "budget": None, "currency": None}),
    "open_call": ("post", "/api/v1/fund-calls", None),
    "update_call": ("put", "/api/v1/fund-calls/{call}", None),
    "submit_idn": ("post", "/api/v1/fund-proposals", None),
    "update_proposal": ("put", "/api/v1/fund-proposals/{proposal}", None),
    "eligibility": (
        "post",
        "/api/v1/fund-proposals/{proposal}/eligibility",
        {"eligible": True, "reason": "ok"},
    ),
    "conflict": ("post", "/api/v1/fund-proposals/{proposal}/conflicts", {"reason": "advised them"}),
    "scores": ("post", "/api/v1/fund-proposals/{proposal}/scores", {"scores": {"relevance": 5}}),
    "recommendation": (
        "post",
        "/api/v1/fund-proposals/{proposal}/recommendation",
        {"recommendation": "do_not_fund", "text": "Out of scope."},
    ),
}
READ_FIRST = {
    "update_fund": "/api/v1/funds/acf",
    "update_call": "/api/v1/fund-calls/{call}",
    "update_proposal": "/api/v1/fund-proposals/{proposal}",
    "eligibility": "/api/v1/fund-proposals/{proposal}",
    "conflict": "/api/v1/fund-proposals/{proposal}",
    "scores": "/api/v1/fund-proposals/{proposal}",
    "recommendation": "/api/v1/fund-proposals/{proposal}",
}
ROLES = ["public", "secretariat", "chair", "other_chair", "haze_chair", "IDN", "VNM", "partner"]
OWNER = {"secretariat", "chair"}
ALLOWED = {
    "update_fund": OWNER,
    "open_call": OWNER,
    "update_call": OWNER,
    "submit_idn": {"IDN"},
    "update_proposal": {"IDN"},
    "eligibility": OWNER,
    "conflict": OWNER,
    "scores": OWNER,
    "recommendation": OWNER,
}
#: who cannot read the proposal: to them it does not exist (404), whatever the write
NOT_READERS = {"other_chair", "haze_chair", "VNM", "partner"}


def test_authorisation_matrix(world):
    """Every fund write × every role: the allowed pass, the others get 401/403 (404 for a proposal
    they may not read) and write nothing, not even an audit entry."""
    client, tokens, url = world
    engine = make_engine(url)

    def audit_count() -> int:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT count(*) FROM audit_entries")).scalar()

    for name, (method, path, body) in WRITES.items():
        for role in ROLES:
            call = open_call(client, tokens)
            r = submit(client, tokens, call["id"])
            assert r.status_code == 201, r.text
            proposal = r.json()["id"]
            if name in ("conflict", "scores", "recommendation"):
                p = f"/api/v1/fund-proposals/{proposal}"
                assert (
                    client.post(
                        f"{p}/eligibility",
                        json={"eligible": True, "reason": "ok"},
                        headers=fresh(client, tokens, "secretariat", p),
                    ).status_code
                    == 200
                )
            if body is None:
                body = {
                    "open_call": {
                        "fund_id": "acf",
                        "title_en": "Another call",
                        "ceiling": "10",
                        "currency": "USD",
                        "deadline": "2099-01-01T00:00:00Z",
                        "criteria": CRITERIA,
                    },
                    "update_call": {
                        "title_en": "Renamed call",
                        "ceiling": "50000",
                        "currency": "USD",
                        "deadline": "2099-01-01T00:00:00Z",
                        "criteria": CRITERIA,
                    },
                    "submit_idn": proposal_body(call["id"]),
                    "update_proposal": {
                        k: v
                        for k, v in proposal_body(call["id"]).items()
                        if k not in ("call_id", "member_state")
                    },
                }[name]
            if name == "submit_idn":
                body = body | {"call_id": call["id"]}
            headers = auth(tokens, role)
            if name in READ_FIRST:
                current = client.get(
                    READ_FIRST[name].format(call=call["id"], proposal=proposal),
                    headers=auth(tokens, "secretariat"),
                )
                headers = headers | {"If-Match": current.headers["etag"]}
            before = audit_count()
            r = client.request(
                method.upper(), path.format(call=call["id"], proposal=proposal), json=body, headers=headers
            )
            if role in ALLOWED[name]:
                assert r.status_code in (200, 201), (name, role, r.status_code, r.text)
            else:
                expected = {401} if role == "public" else {403}
                if "{proposal}" in path and role in NOT_READERS | {"public"}:
                    expected = {401, 404}
                assert r.status_code in expected, (name, role, r.status_code, r.text)
                assert audit_count() == before, (name, role, "wrote something")
            body = WRITES[name][2]
    engine.dispose()
