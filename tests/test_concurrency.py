"""Lost updates: many writes of one record with the same ETag, at the same moment, against a real
server (``ascc serve``) on SQLite and PostgreSQL. Exactly one wins; every other one is told the
record changed (412), never a 5xx, and the stored record is the winner's, whole.

Also: a write that changes an existing record without If-Match is refused with 428 and changes
nothing, and a chair cannot take another body's meeting.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from ascc.db.engine import make_engine
from ascc.db.uow import unit_of_work
from ascc.monitoring.loader import indicator_records
from ascc.monitoring.models import Indicator
from ascc.wiring import session_factory
from tests.conftest import ROOT, load, make_user
from tests.monitoring.conftest import PLAIN_HEADER
from tests.test_disasters import row
from tests.test_disasters_assistance import add_events
from tests.test_multiprocess import serve

#: concurrent writers per record
N = 12
DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request, new_database, reference, tmp_path_factory):
    url = new_database(request.param)
    load(url, reference)
    tmp = tmp_path_factory.mktemp("events")
    (event,) = add_events(
        url,
        tmp,
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
    engine = make_engine(url)
    with unit_of_work(session_factory(engine)) as session:
        session.add_all(Indicator(**r) for r in indicator_records(DATA) if r["code"] == "SP.POP.TOTL")
    engine.dispose()
    tokens = {
        "secretariat": make_user(url, email="officer@asean.org"),
        "chair": make_user(url, email="chair@asoen.org", role="chair", body_id="asoen"),
        "other_chair": make_user(url, email="chair@acw.org", role="chair", body_id="acw"),
        "aha_centre": make_user(url, email="duty@ahacentre.org", role="aha_centre"),
        "PHL": make_user(url, email="fp@ocd.gov.ph", role="focal_point", member_state="PHL"),
        "IDN": make_user(url, email="fp@bps.go.id", role="focal_point", member_state="IDN"),
    }
    with serve(url) as base, httpx.Client(base_url=base, timeout=60) as client:
        yield {"client": client, "base": base, "tokens": tokens, "event": event, "url": url}


def auth(world, who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world['tokens'][who]}"}


def race(
    world, who: str, method: str, path: str, bodies: list, *, read: str | None = None
) -> tuple[Counter, list[int]]:
    """Send ``len(bodies)`` requests at once, all with the ETag the record (at ``read``) has now."""
    current = world["client"].get(read or path, headers=auth(world, who))
    assert current.status_code == 200, current.text
    return race_with(world, who, method, path, bodies, current.headers["etag"])


def race_with(world, who: str, method: str, path: str, bodies: list, etag: str) -> tuple[Counter, list[int]]:
    start = threading.Barrier(len(bodies))
    headers = auth(world, who) | {"If-Match": etag}

    def one(body) -> int:
        with httpx.Client(base_url=world["base"], timeout=120) as c:
            start.wait()
            return c.request(method, path, json=body, headers=headers).status_code

    with ThreadPoolExecutor(len(bodies)) as pool:
        statuses = list(pool.map(one, bodies))
    return Counter(statuses), statuses


def exactly_one_wins(counts: Counter, ok: int = 200, losers: tuple[int, ...] = (412,)) -> None:
    assert counts[ok] == 1, counts
    assert sum(counts[s] for s in losers) == N - 1, counts


def winner(statuses: list[int], bodies: list, ok: int = 200):
    return bodies[statuses.index(ok)]


def test_decision_stage_moves_and_texts(world):
    c = world["client"]
    item = c.post(
        "/api/v1/decisions",
        headers=auth(world, "secretariat"),
        json={"title_en": "Regional guidelines on haze monitoring", "body_id": "asoen"},
    ).json()["id"]
    path = f"/api/v1/decisions/{item}"
    counts, _ = race(world, "chair", "POST", f"{path}/stage", [{"to": "consult"}] * N, read=path)
    exactly_one_wins(counts)
    history = c.get(path, headers=auth(world, "chair")).json()["history"]
    assert [h["to_stage"] for h in history].count("consult") == 1

    etag = c.get(path, headers=auth(world, "chair")).headers["etag"]
    assert c.post(
        f"{path}/stage", json={"to": "formulate"}, headers=auth(world, "chair") | {"If-Match": etag}
    ).is_success
    bodies = [{"text_en": f"Draft {i}: member states monitor haze together."} for i in range(N)]
    counts, statuses = race(world, "chair", "POST", f"{path}/proposals", bodies, read=path)
    exactly_one_wins(counts)
    detail = c.get(path, headers=auth(world, "chair")).json()
    assert [v["text_en"] for v in detail["proposals"]] == [winner(statuses, bodies)["text_en"]]


def test_meeting_replacements(world):
    c = world["client"]
    base = {"id": "asoen-99", "body": "asoen", "title_en": "99th ASOEN", "audience": "member_states"}
    assert (
        c.put("/api/v1/meetings/asoen-99", json=base, headers=auth(world, "secretariat")).status_code == 200
    )
    bodies = [base | {"title_en": f"99th ASOEN, title {i}", "city": f"City {i}"} for i in range(N)]
    counts, statuses = race(world, "chair", "PUT", "/api/v1/meetings/asoen-99", bodies)
    exactly_one_wins(counts)
    stored = c.get("/api/v1/meetings/asoen-99", headers=auth(world, "chair")).json()
    won = winner(statuses, bodies)
    assert (stored["title"]["en"], stored["city"]) == (won["title_en"], won["city"])

    reports = [{"text": f"Report text {i}"} for i in range(N)]
    counts, statuses = race(
        world, "chair", "PUT", "/api/v1/meetings/asoen-99/report", reports, read="/api/v1/meetings/asoen-99"
    )
    exactly_one_wins(counts)
    stored = c.get("/api/v1/meetings/asoen-99", headers=auth(world, "chair")).json()
    assert [r["text"] for r in stored["reports"]] == [winner(statuses, reports)["text"]]


def test_body_corrections(world):
    bodies = [
        {"name_id": f"Pejabat Senior ASEAN Bidang Lingkungan Hidup ({i})", "established": 1977 + i}
        for i in range(N)
    ]
    counts, statuses = race(world, "secretariat", "PATCH", "/api/v1/bodies/asoen", bodies)
    exactly_one_wins(counts)
    stored = world["client"].get("/api/v1/bodies/asoen").json()
    won = winner(statuses, bodies)
    assert (stored["name"]["id"], stored["established"]) == (won["name_id"], won["established"])


def test_chair_anchor_and_override_replacements(world):
    c = world["client"]
    first = {"year": 2024, "member_state": "MYS", "reason": "chair of the 35th ASOEN"}
    assert c.put(
        "/api/v1/bodies/asoen/chair-anchor", json=first, headers=auth(world, "secretariat")
    ).is_success
    bodies = [{"year": 2010 + i, "member_state": "IDN", "reason": f"source {i}"} for i in range(N)]
    counts, statuses = race(world, "chair", "PUT", "/api/v1/bodies/asoen/chair-anchor", bodies)
    exactly_one_wins(counts)
    assert c.get("/api/v1/bodies/asoen/chair-anchor").json()["year"] == winner(statuses, bodies)["year"]

    fixed = {"year": 2027, "date": "2027-06-01", "reason": "agreed at the previous ASOEN"}
    assert c.put("/api/v1/bodies/asoen/cycle-overrides", json=fixed, headers=auth(world, "chair")).is_success
    bodies = [fixed | {"date": f"2027-06-{10 + i:02}", "reason": f"moved, reason {i}"} for i in range(N)]
    counts, statuses = race(
        world,
        "secretariat",
        "PUT",
        "/api/v1/bodies/asoen/cycle-overrides",
        bodies,
        read="/api/v1/bodies/asoen/cycle-overrides/2027",
    )
    exactly_one_wins(counts)
    stored = c.get("/api/v1/bodies/asoen/cycle-overrides/2027").json()
    assert stored["date"] == winner(statuses, bodies)["date"]


def test_situation_report_edits(world):
    c = world["client"]
    report = {
        "title_en": "Typhoon Haiyan, situation update",
        "body_en": "Landfall in Guiuan.",
        "as_of": "2013-11-08",
    }
    sid = c.post(
        f"/api/v1/disasters/events/{world['event']}/sitreps", json=report, headers=auth(world, "aha_centre")
    ).json()["id"]
    bodies = [report | {"body_en": f"Update {i}: roads to Tacloban cleared."} for i in range(N)]
    counts, statuses = race(world, "aha_centre", "PUT", f"/api/v1/disasters/sitreps/{sid}", bodies)
    exactly_one_wins(counts)
    stored = c.get(f"/api/v1/disasters/sitreps/{sid}").json()
    assert stored["version"] == 2
    assert stored["body"]["en"] == winner(statuses, bodies)["body_en"]


def test_assistance_decisions(world):
    c = world["client"]
    req = c.post(
        f"/api/v1/disasters/events/{world['event']}/requests",
        headers=auth(world, "PHL"),
        json={
            "member_state": "PHL",
            "title": "Shelter",
            "needs": [
                {"category": "shelter", "description": "Family tents", "quantity": 100, "unit": "tents"}
            ],
        },
    ).json()
    need = req["needs"][0]["id"]
    offer = c.post(
        f"/api/v1/disasters/requests/{req['id']}/offers",
        headers=auth(world, "IDN"),
        json={"lines": [{"need_id": need, "kind": "relief_items", "description": "Tents", "quantity": 50}]},
    ).json()
    bodies = [{"decision": "accepted" if i % 2 else "declined", "reason": f"reason {i}"} for i in range(N)]
    counts, statuses = race_with(
        world, "PHL", "POST", f"/api/v1/disasters/offers/{offer['id']}/decision", bodies, offer["etag"]
    )
    exactly_one_wins(counts)
    stored = c.get(f"/api/v1/disasters/offers/{offer['id']}").json()
    assert stored["status"] == winner(statuses, bodies)["decision"]


def test_a_submission_is_reviewed_once(world):
    c = world["client"]
    text = PLAIN_HEADER + "SP.POP.TOTL,IDN,2021,276400000,persons,BPS,\n"
    r = c.post(
        "/api/v1/submissions/drafts",
        headers=auth(world, "IDN"),
        data={"member_state": "IDN"},
        files={"file": ("idn.csv", text.encode(), "text/csv")},
    )
    assert r.status_code == 201, r.text
    sid = c.post("/api/v1/submissions", headers=auth(world, "IDN"), json={"member_state": "IDN"}).json()["id"]
    bodies = [
        {"decision": "approved"} if i % 3 else {"decision": "rejected", "comment": f"fix {i}"}
        for i in range(N)
    ]
    etag = c.get(f"/api/v1/submissions/{sid}", headers=auth(world, "secretariat")).headers["etag"]
    counts, statuses = race_with(
        world, "secretariat", "POST", f"/api/v1/submissions/{sid}/review", bodies, etag
    )
    exactly_one_wins(counts)
    stored = c.get(f"/api/v1/submissions/{sid}", headers=auth(world, "secretariat")).json()
    assert stored["state"] == winner(statuses, bodies)["decision"]


def test_a_target_is_deleted_once(world):
    c = world["client"]
    r = c.post(
        "/api/v1/targets",
        headers=auth(world, "secretariat"),
        json={
            "indicator_code": "SP.POP.TOTL",
            "target_year": 2030,
            "target_value": 1,
            "source": "https://example.org/plan",
        },
    )
    assert r.status_code == 201, r.text
    counts, _ = race_with(
        world, "secretariat", "DELETE", f"/api/v1/targets/{r.json()['id']}", [None] * N, r.headers["etag"]
    )
    exactly_one_wins(counts, ok=204, losers=(404,))


def test_changes_without_if_match_are_refused_with_428(world):
    c = world["client"]
    before = c.get("/api/v1/bodies/asoen").json()
    r = c.patch("/api/v1/bodies/asoen", json={"established": 1990}, headers=auth(world, "secretariat"))
    assert r.status_code == 428, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["current_etag"] == c.get("/api/v1/bodies/asoen").headers["etag"]
    assert c.get("/api/v1/bodies/asoen").json() == before
    item = c.post(
        "/api/v1/decisions",
        headers=auth(world, "secretariat"),
        json={"title_en": "An item", "body_id": "asoen"},
    ).json()["id"]
    assert (
        c.post(
            f"/api/v1/decisions/{item}/stage", json={"to": "consult"}, headers=auth(world, "chair")
        ).status_code
        == 428
    )
    assert c.get(f"/api/v1/decisions/{item}", headers=auth(world, "chair")).json()["stage"] == "identify"


def test_a_chair_cannot_take_another_bodys_meeting(world):
    c = world["client"]
    meeting = {"id": "acw-50", "body": "acw", "title_en": "50th ACW", "audience": "member_states"}
    r = c.put("/api/v1/meetings/acw-50", json=meeting, headers=auth(world, "secretariat"))
    assert r.status_code == 200, r.text
    etag = r.headers["etag"]
    # the ASOEN chair moves ACW's meeting into ASOEN and makes it public: refused, nothing changes
    takeover = meeting | {"body": "asoen", "audience": "public"}
    r = c.put("/api/v1/meetings/acw-50", json=takeover, headers=auth(world, "chair") | {"If-Match": etag})
    assert r.status_code in (403, 404), r.text
    stored = c.get("/api/v1/meetings/acw-50", headers=auth(world, "secretariat"))
    assert (stored.json()["body"], stored.json()["audience"]) == ("acw", "member_states")
    assert stored.headers["etag"] == etag
    # ACW's own chair cannot hand it to ASOEN either
    r = c.put(
        "/api/v1/meetings/acw-50",
        json=meeting | {"body": "asoen"},
        headers=auth(world, "other_chair") | {"If-Match": etag},
    )
    assert r.status_code == 403, r.text
    # and ACW's chair edits it with its ETag
    r = c.put(
        "/api/v1/meetings/acw-50",
        json=meeting | {"city": "Jakarta"},
        headers=auth(world, "other_chair") | {"If-Match": etag},
    )
    assert r.status_code == 200, r.text
