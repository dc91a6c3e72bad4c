"""Assistance between member states through the API, on SQLite and PostgreSQL: request → offers →
acceptance → mobilisation, the matching of needs to offers, stale edits, bad input, and the
authorisation matrix (who may do what; a refusal writes nothing, not even an audit entry)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from ascc.app import create_app
from ascc.config import Settings
from ascc.db.engine import make_engine
from ascc.db.uow import unit_of_work
from ascc.disasters import service as disasters_service
from ascc.disasters.importer import read_events
from ascc.wiring import session_factory
from tests.conftest import if_match, load, make_user
from tests.test_disasters import MEMBERS, csv_file, row


def add_events(url: str, tmp_path, *rows: str) -> list[int]:
    records, problems = read_events(csv_file(tmp_path, *rows), member_states=MEMBERS)
    assert problems == []
    engine = make_engine(url)
    with unit_of_work(session_factory(engine)) as session:
        disasters_service.import_records(session, records=records)
        ids = [e["id"] for e in disasters_service.list_events(session, limit=100).items]
    engine.dispose()
    return sorted(ids)


@pytest.fixture
def world(fresh_url, reference, tmp_path):
    load(fresh_url, reference)
    (event,) = add_events(
        fresh_url,
        tmp_path,
        row(
            feed="PHIL-DIS",
            rid="TC-1",
            hazard="Typhoon",
            ms="PHL",
            start="2013-11-08",
            end="2013-11-10",
            name="Haiyan",
        ),
    )
    tokens = {
        "secretariat": make_user(fresh_url, email="officer@asean.org"),
        "aha_centre": make_user(fresh_url, email="duty@ahacentre.org", role="aha_centre"),
        "PHL": make_user(fresh_url, email="fp@ocd.gov.ph", role="focal_point", member_state="PHL"),
        "IDN": make_user(fresh_url, email="fp@bnpb.go.id", role="focal_point", member_state="IDN"),
        "VNM": make_user(fresh_url, email="fp@mard.gov.vn", role="focal_point", member_state="VNM"),
        "IDN_education": make_user(
            fresh_url,
            email="edu@kemdikbud.go.id",
            role="focal_point",
            member_state="IDN",
            sectors=["education"],
        ),
        "PHL_education": make_user(
            fresh_url, email="edu@deped.gov.ph", role="focal_point", member_state="PHL", sectors=["education"]
        ),
        "partner": make_user(fresh_url, email="observer@mofa.go.jp", role="partner", partner_id="JPN"),
    }
    with TestClient(create_app(Settings(database_url=fresh_url))) as client:
        yield client, tokens, fresh_url, event


def auth(tokens, who):
    return {} if who == "public" else {"Authorization": f"Bearer {tokens[who]}"}


def read(client, tokens, path) -> dict[str, str]:
    """The ETag of the request or offer at ``path`` as the requesting member state reads it now."""
    return {"If-Match": if_match(client, path, auth(tokens, "PHL"))["If-Match"]}


NEEDS = [
    {
        "category": "shelter",
        "description": "Family tents",
        "quantity": 1000,
        "unit": "tents",
        "location": "Tacloban, Leyte",
        "period_start": "2013-11-10",
        "period_end": "2013-12-10",
    },
    {
        "category": "search_rescue",
        "description": "USAR teams (INSARAG medium)",
        "quantity": 2,
        "unit": "teams",
        "location": "Leyte",
    },
    {"category": "funds", "description": "Cash for early recovery", "quantity": 500000, "unit": "USD"},
]


def new_request(client, tokens, event) -> dict:
    r = client.post(
        f"/api/v1/disasters/events/{event}/requests",
        headers=auth(tokens, "PHL"),
        json={
            "member_state": "PHL",
            "title": "Typhoon Haiyan: shelter and search and rescue",
            "needs": NEEDS,
        },
    )
    assert r.status_code == 201, r.text
    return r.json()


def offer(client, tokens, who, request, lines) -> dict:
    needs = {n["category"]: n["id"] for n in request["needs"]}
    body = {
        "lines": [{"need_id": needs[c], "kind": k, "description": d, "quantity": q} for c, k, d, q in lines]
    }
    r = client.post(
        f"/api/v1/disasters/requests/{request['id']}/offers", headers=auth(tokens, who), json=body
    )
    assert r.status_code == 201, r.text
    return r.json()


def test_request_offers_acceptance_mobilisation_and_matching(world):
    client, tokens, _, event = world
    req = new_request(client, tokens, event)
    assert [n["quantity"] for n in req["needs"]] == [1000, 2, 500000]
    idn = offer(
        client,
        tokens,
        "IDN",
        req,
        [
            ("shelter", "relief_items", "Family tents", 600),
            ("search_rescue", "team", "BASARNAS USAR team", 1),
        ],
    )
    vnm = offer(client, tokens, "VNM", req, [("search_rescue", "team", "VINASARCOM team", 1)])
    jpn = offer(client, tokens, "partner", req, [("funds", "money", "Emergency grant", 200000)])
    assert (idn["offered_by_kind"], idn["offered_by"], jpn["offered_by_kind"], jpn["offered_by"]) == (
        "member_state",
        "IDN",
        "partner",
        "JPN",
    )
    before = client.get(f"/api/v1/disasters/requests/{req['id']}/matching").json()
    assert [(n["offered"], n["accepted"]) for n in before["needs"]] == [(600, 0), (2, 0), (200000, 0)]

    def decide(o, decision, reason=None, who="PHL"):
        r = client.post(
            f"/api/v1/disasters/offers/{o['id']}/decision",
            headers=auth(tokens, who) | {"If-Match": o["etag"]},
            json={"decision": decision, "reason": reason},
        )
        assert r.status_code == 200, r.text
        return r.json()

    idn = decide(idn, "accepted")
    decide(vnm, "declined", "the second USAR team is covered by the national team")
    decide(jpn, "accepted")
    assert (
        client.post(
            f"/api/v1/disasters/offers/{vnm['id']}/decision",
            headers=auth(tokens, "PHL") | read(client, tokens, f"/api/v1/disasters/offers/{vnm['id']}"),
            json={"decision": "accepted"},
        ).status_code
        == 409
    )
    m = client.get(f"/api/v1/disasters/requests/{req['id']}/matching").json()
    shelter, sar, funds = m["needs"]
    assert (
        shelter["requested"],
        shelter["offered"],
        shelter["accepted"],
        shelter["covered"],
        shelter["gap"],
    ) == (1000, 600, 600, 0.6, 400)
    assert (sar["offered"], sar["accepted"], sar["gap"], sar["offered_by"]) == (1, 1, 1, ["IDN"])
    assert (funds["accepted"], funds["gap"]) == (200000, 300000)
    assert m["needs_covered"] == 0 and len(m["gaps"]) == 3

    def progress(o, stage, on, who="IDN"):
        return client.post(
            f"/api/v1/disasters/offers/{o['id']}/progress",
            headers=auth(tokens, who) | read(client, tokens, f"/api/v1/disasters/offers/{o['id']}"),
            json={"stage": stage, "on": on},
        )

    assert progress(idn, "arrived", "2013-11-12").status_code == 409  # not mobilised yet
    assert progress(idn, "mobilised", "2013-11-11").status_code == 200
    assert progress(idn, "arrived", "2013-11-10").status_code == 422  # before mobilisation
    assert progress(idn, "arrived", "2013-11-12", who="PHL").status_code == 200
    done = progress(idn, "demobilised", "2013-12-09").json()
    assert (done["mobilised_on"], done["arrived_on"], done["demobilised_on"]) == (
        "2013-11-11",
        "2013-11-12",
        "2013-12-09",
    )
    assert progress(vnm, "mobilised", "2013-11-11", who="VNM").status_code == 409  # declined
    detail = client.get(f"/api/v1/disasters/requests/{req['id']}").json()
    assert {o["offered_by"]: o["status"] for o in detail["offers"]} == {
        "IDN": "accepted",
        "VNM": "declined",
        "JPN": "accepted",
    }
    assert next(o for o in detail["offers"] if o["offered_by"] == "VNM")["reason"].startswith("the second")
    assert [r["id"] for r in client.get(f"/api/v1/disasters/events/{event}/requests").json()["items"]] == [
        req["id"]
    ]
    # closed: no more offers
    r = client.post(
        f"/api/v1/disasters/requests/{req['id']}/status",
        headers=auth(tokens, "PHL") | read(client, tokens, f"/api/v1/disasters/requests/{req['id']}"),
        json={"status": "closed"},
    )
    assert r.status_code == 200 and r.json()["status"] == "closed"
    body = {
        "lines": [
            {"need_id": req["needs"][0]["id"], "kind": "relief_items", "description": "x", "quantity": 1}
        ]
    }
    assert (
        client.post(
            f"/api/v1/disasters/requests/{req['id']}/offers", headers=auth(tokens, "VNM"), json=body
        ).status_code
        == 409
    )


def count(url: str, table: str) -> int:
    engine = make_engine(url)
    with engine.connect() as conn:
        n = conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()
    engine.dispose()
    return n


def test_stale_edits_and_bad_input_change_nothing(world):
    client, tokens, url, event = world
    req = new_request(client, tokens, event)
    o = offer(client, tokens, "IDN", req, [("shelter", "relief_items", "Family tents", 600)])
    stale = o["etag"]
    offer(client, tokens, "VNM", req, [("shelter", "relief_items", "Tarpaulins", 100)])
    fresh = client.get(f"/api/v1/disasters/offers/{o['id']}")
    assert fresh.headers["etag"] == stale  # an offer's ETag moves only when the offer changes
    r = client.post(
        f"/api/v1/disasters/offers/{o['id']}/progress",
        headers=auth(tokens, "IDN"),
        json={"stage": "mobilised", "on": "2013-11-11"},
    )
    assert r.status_code == 428  # a change of the offer needs its ETag
    r = client.post(
        f"/api/v1/disasters/offers/{o['id']}/progress",
        headers=auth(tokens, "IDN") | {"If-Match": stale},
        json={"stage": "mobilised", "on": "2013-11-11"},
    )
    assert r.status_code == 409  # not accepted yet
    r = client.post(
        f"/api/v1/disasters/requests/{req['id']}/needs",
        headers=auth(tokens, "PHL") | {"If-Match": req["etag"]},
        json={"category": "food", "description": "Rice", "quantity": 50, "unit": "tonnes"},
    )
    assert r.status_code == 412, r.text  # two offers came in since the request was read
    before = {
        t: count(url, t)
        for t in (
            "assistance_requests",
            "assistance_needs",
            "assistance_offers",
            "assistance_offer_lines",
            "audit_entries",
        )
    }
    path = f"/api/v1/disasters/events/{event}/requests"
    bad = [
        (path, {"member_state": "IDN", "title": "Not ours", "needs": NEEDS}, "IDN", 422, "member_state"),
        (
            path,
            {"member_state": "PHL", "title": "Tents", "needs": [NEEDS[0] | {"quantity": -5}]},
            "PHL",
            422,
            "quantity",
        ),
        (
            path,
            {"member_state": "PHL", "title": "Tents", "needs": [NEEDS[0] | {"period_end": "2013-11-01"}]},
            "PHL",
            422,
            "period_end",
        ),
        (path, {"member_state": "PHL", "title": "Tents", "needs": []}, "PHL", 422, "needs"),
        (path, {"member_state": "AUS", "title": "Tents", "needs": NEEDS}, "PHL", 403, "AUS"),
        (
            "/api/v1/disasters/events/999999/requests",
            {"member_state": "PHL", "title": "Tents", "needs": NEEDS},
            "PHL",
            404,
            "999999",
        ),
        (
            f"/api/v1/disasters/requests/{req['id']}/offers",
            {"lines": [{"need_id": 999999, "kind": "team", "description": "x", "quantity": 1}]},
            "IDN",
            422,
            "need_id",
        ),
        (
            f"/api/v1/disasters/requests/{req['id']}/offers",
            {
                "lines": [
                    {
                        "need_id": req["needs"][0]["id"],
                        "kind": "team",
                        "description": "x",
                        "quantity": 1,
                        "value": 5,
                    }
                ]
            },
            "IDN",
            422,
            "currency",
        ),
        (f"/api/v1/disasters/offers/{o['id']}/decision", {"decision": "declined"}, "PHL", 422, "reason"),
        (f"/api/v1/disasters/offers/{o['id']}/decision", {"decision": "accepted"}, "PHL", 412, "changed"),
    ]
    for target, body, who, status, word in bad:
        headers = auth(tokens, who)
        if status == 412:
            headers |= {"If-Match": '"offer-0-r0"'}
        elif "/decision" in target:
            headers |= read(client, tokens, f"/api/v1/disasters/offers/{o['id']}")
        r = client.post(target, json=body, headers=headers)
        assert r.status_code == status, (target, body, r.status_code, r.text)
        assert word in r.text, (word, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    after = {t: count(url, t) for t in before}
    assert after == before


ROLES = [
    "public",
    "secretariat",
    "aha_centre",
    "PHL",
    "PHL_education",
    "IDN",
    "IDN_education",
    "VNM",
    "partner",
]
ALLOWED = {
    "create_request": {"PHL"},
    "add_need": {"PHL"},
    "close_request": {"PHL"},
    "offer": {"IDN", "VNM", "partner"},
    "decide": {"PHL"},
    "progress": {"PHL", "IDN"},  # the affected member state and the one who offered
}


def test_authorisation_matrix(world):
    """Every assistance write × every role: the allowed pass, the others get 401/403 and write nothing."""
    client, tokens, url, event = world
    for name in ALLOWED:
        for role in ROLES:
            req = new_request(client, tokens, event)
            o = offer(client, tokens, "IDN", req, [("shelter", "relief_items", "Family tents", 600)])
            if name == "progress":
                assert (
                    client.post(
                        f"/api/v1/disasters/offers/{o['id']}/decision",
                        headers=auth(tokens, "PHL")
                        | read(client, tokens, f"/api/v1/disasters/offers/{o['id']}"),
                        json={"decision": "accepted"},
                    ).status_code
                    == 200
                )
            method_path_body = {
                "create_request": (
                    f"/api/v1/disasters/events/{event}/requests",
                    {"member_state": "PHL", "title": "Typhoon Haiyan: water", "needs": NEEDS[:1]},
                ),
                "add_need": (
                    f"/api/v1/disasters/requests/{req['id']}/needs",
                    {"category": "food", "description": "Rice", "quantity": 50, "unit": "tonnes"},
                ),
                "close_request": (f"/api/v1/disasters/requests/{req['id']}/status", {"status": "closed"}),
                "offer": (
                    f"/api/v1/disasters/requests/{req['id']}/offers",
                    {
                        "lines": [
                            {
                                "need_id": req["needs"][1]["id"],
                                "kind": "team",
                                "description": "USAR team",
                                "quantity": 1,
                            }
                        ]
                    },
                ),
                "decide": (f"/api/v1/disasters/offers/{o['id']}/decision", {"decision": "accepted"}),
                "progress": (
                    f"/api/v1/disasters/offers/{o['id']}/progress",
                    {"stage": "mobilised", "on": dt.date.today().isoformat()},
                ),
            }
            path, body = method_path_body[name]
            before = count(url, "audit_entries")
            headers = auth(tokens, role)
            if name in ("add_need", "close_request"):
                headers |= read(client, tokens, f"/api/v1/disasters/requests/{req['id']}")
            elif name in ("decide", "progress"):
                headers |= read(client, tokens, f"/api/v1/disasters/offers/{o['id']}")
            r = client.post(path, json=body, headers=headers)
            if role in ALLOWED[name]:
                assert r.status_code in (200, 201), (name, role, r.status_code, r.text)
            else:
                assert r.status_code == (401 if role == "public" else 403), (
                    name,
                    role,
                    r.status_code,
                    r.text,
                )
                assert count(url, "audit_entries") == before, (name, role, "wrote something")


def test_concurrent_decisions_on_postgresql_queue_and_the_second_is_refused(fresh_url, reference, tmp_path):
    """Two focal-point sessions decide the same offer at once: the second waits for the first
    (the offer row is held) and then finds the offer changed: 412, one decision recorded."""
    if not fresh_url.startswith("postgresql"):
        pytest.skip("SQLite serialises writers on its own")
    import threading
    import time

    from ascc.accounts.schemas import Principal, Role
    from ascc.disasters import assistance
    from ascc.disasters import schemas as s
    from ascc.kit.errors import PreconditionFailed

    load(fresh_url, reference)
    (event,) = add_events(
        fresh_url,
        tmp_path,
        row(feed="PHIL-DIS", rid="TC-1", hazard="Typhoon", ms="PHL", start="2013-11-08", end="2013-11-10"),
    )
    phl = Principal(user_id=1, name="fp", role=Role.focal_point, member_state="PHL")
    idn = Principal(user_id=2, name="fp", role=Role.focal_point, member_state="IDN")
    engine = make_engine(fresh_url)
    factory = session_factory(engine)
    with unit_of_work(factory) as session:
        req = assistance.create_request(
            session,
            principal=phl,
            event_id=event,
            data=s.RequestCreate(member_state="PHL", title="Tents", needs=NEEDS[:1]),
        )
        offer = assistance.make_offer(
            session,
            principal=idn,
            request_id=req["id"],
            data=s.OfferCreate(
                lines=[
                    {
                        "need_id": req["needs"][0]["id"],
                        "kind": "relief_items",
                        "description": "Tents",
                        "quantity": 5,
                    }
                ]
            ),
        )
    first, outcome = factory(), {}
    assistance.decide_offer(
        first,
        principal=phl,
        offer_id=offer["id"],
        if_match=offer["etag"],
        data=s.OfferDecision(decision="accepted"),
    )

    def second() -> None:
        with factory() as session:
            try:
                assistance.decide_offer(
                    session,
                    principal=phl,
                    offer_id=offer["id"],
                    if_match=offer["etag"],
                    data=s.OfferDecision(decision="declined", reason="double"),
                )
                session.commit()
                outcome["result"] = "committed"
            except PreconditionFailed:
                outcome["result"] = "412"

    thread = threading.Thread(target=second)
    thread.start()
    # wait until the second session is blocked on the row lock; autocommit, because PostgreSQL keeps
    # one snapshot of pg_stat_activity per transaction (a first look before the wait would repeat)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        while not conn.execute(
            sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()"
            )
        ).scalar():
            assert thread.is_alive(), outcome
            time.sleep(0.05)
    first.commit()
    first.close()
    thread.join()
    assert outcome["result"] == "412"
    with unit_of_work(factory) as session:
        assert assistance.get_offer(session, offer_id=offer["id"])["status"] == "accepted"
    engine.dispose()
