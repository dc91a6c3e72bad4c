"""The decision cycle through the API, on SQLite and PostgreSQL, and the authorisation matrix."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from ascc.app import create_app
from ascc.config import Settings
from ascc.db.engine import make_engine
from ascc.db.uow import unit_of_work
from ascc.decisions import service as decisions_service
from ascc.wiring import session_factory
from tests.conftest import if_match, load_built, make_user

MEMBERS = ["BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "TLS", "VNM"]


def accounts(url: str) -> dict[str, str]:
    """One account per role and one focal point per member state on ``url``: their API tokens."""
    tokens = {
        "secretariat": make_user(url, email="officer@asean.org"),
        "chair": make_user(url, email="chair@asoen.org", role="chair", body_id="asoen"),
        "other_chair": make_user(url, email="chair@acw.org", role="chair", body_id="acw"),
        "partner": make_user(url, email="observer@mofa.go.jp", role="partner", partner_id="JPN"),
    }
    for code in MEMBERS:
        tokens[code] = make_user(
            url, email=f"fp@{code.lower()}.example", role="focal_point", member_state=code
        )
    return tokens


@pytest.fixture
def world(fresh_url, reference):
    """A loaded database of its own with :func:`accounts` (a copy of one built once per backend)."""
    tokens = load_built(fresh_url, reference, "decisions-world", accounts)
    with TestClient(create_app(Settings(database_url=fresh_url))) as client:
        yield client, tokens, fresh_url


def auth(tokens, who):
    return {} if who == "public" else {"Authorization": f"Bearer {tokens[who]}"}


def fresh(client, tokens, who, item):
    """``who``'s headers with the ETag of decision ``item`` as ``who`` reads it now."""
    return if_match(client, f"/api/v1/decisions/{item}", auth(tokens, who))


def new_item(client, tokens, *, stage="formulate", text=True, audience="public") -> int:
    r = client.post(
        "/api/v1/decisions",
        headers=auth(tokens, "secretariat"),
        json={
            "title_en": "Regional guidelines on community-based care for older persons",
            "title_id": "Pedoman regional perawatan lansia berbasis komunitas",
            "body_id": "asoen",
            "audience": audience,
        },
    )
    assert r.status_code == 201, r.text
    item = r.json()["id"]
    for to in ("consult", "formulate")[: ["identify", "consult", "formulate"].index(stage)]:
        assert client.post(
            f"/api/v1/decisions/{item}/stage", json={"to": to}, headers=fresh(client, tokens, "chair", item)
        ).is_success
    if text and stage == "formulate":
        r = client.post(
            f"/api/v1/decisions/{item}/proposals",
            headers=fresh(client, tokens, "chair", item),
            json={"text_en": "Member states agree to share practice on community care."},
        )
        assert r.status_code == 200
    return item


def position(client, tokens, item, code, kind="join", **extra):
    return client.post(
        f"/api/v1/decisions/{item}/positions",
        headers=fresh(client, tokens, code, item),
        json={"member_state": code, "kind": kind, **extra},
    )


def test_full_cycle_with_a_reservation_and_ad_referendum(world):
    client, tokens, _ = world
    item = new_item(client, tokens)
    for code in MEMBERS:
        if code == "THA":
            r = position(client, tokens, item, code, "reservation", text="subject to national legislation")
        elif code == "LAO":
            r = position(client, tokens, item, code, "ad_referendum", clearance_due="2026-12-15")
        else:
            r = position(client, tokens, item, code)
        assert r.status_code == 200, r.text
    r = client.post(f"/api/v1/decisions/{item}/adopt", headers=fresh(client, tokens, "chair", item))
    assert r.status_code == 409 and "LAO" in r.json()["detail"] and "clearance" in r.json()["detail"]
    r = client.post(f"/api/v1/decisions/{item}/positions/LAO/clearance", headers=auth(tokens, "LAO"))
    assert r.status_code == 200
    r = client.post(f"/api/v1/decisions/{item}/adopt", headers=fresh(client, tokens, "chair", item))
    assert r.status_code == 200, r.text
    done = r.json()
    assert (
        done["status"] == "adopted"
        and done["stage"] == "implement"
        and done["adoption_method"] == "consensus"
    )
    assert done["consensus"]["reservations"] == ["THA"] and done["consensus"]["members"] == sorted(
        MEMBERS, key=lambda c: MEMBERS.index(c)
    )
    # the public record says who said what
    public = client.get(f"/api/v1/decisions/{item}").json()
    assert {p["member_state"]: p["kind"] for p in public["positions"]}["THA"] == "reservation"
    popolo = client.get("/api/v1/decisions/popolo").json()
    votes = {v["voter_id"]: v for v in popolo["vote_events"][0]["votes"]}
    assert len(votes) == 11 and votes["THA"]["option"] == "yes" and "reservation" in votes["THA"]["note"]
    assert "Regional guidelines" in client.get("/decisions/feed.atom").text
    # follow-up names its implementation and monitoring
    r = client.put(
        f"/api/v1/decisions/{item}/follow-up",
        headers=fresh(client, tokens, "secretariat", item),
        json={"programmes": [], "bodies": ["asoen"], "indicators": ["SP.DYN.LE00.IN"]},
    )
    assert r.status_code == 200 and r.json()["implementation"]["bodies"] == ["asoen"]


def test_consensus_needs_every_member_on_the_decision_date(world):
    client, tokens, _ = world
    item = new_item(client, tokens)
    for code in MEMBERS:
        if code != "TLS":
            assert position(client, tokens, item, code).status_code == 200
    # before Timor-Leste's admission ten positions were enough; today eleven are needed
    r = client.post(f"/api/v1/decisions/{item}/adopt", headers=fresh(client, tokens, "chair", item))
    assert r.status_code == 409 and "TLS" in r.json()["detail"]
    r = client.post(
        f"/api/v1/decisions/{item}/adopt",
        params={"on": "2025-10-25"},
        headers=fresh(client, tokens, "chair", item),
    )
    assert r.status_code == 200 and r.json()["adopted_on"] == "2025-10-25"


def test_an_objection_blocks_and_a_new_text_starts_positions_afresh(world):
    client, tokens, _ = world
    item = new_item(client, tokens)
    assert position(client, tokens, item, "VNM", "object").status_code == 422  # a reason is required
    assert position(client, tokens, item, "VNM", "object", text="needs more consultation").status_code == 200
    for code in MEMBERS:
        if code != "VNM":
            position(client, tokens, item, code)
    r = client.post(f"/api/v1/decisions/{item}/adopt", headers=fresh(client, tokens, "chair", item))
    assert r.status_code == 409 and "objection from Viet Nam (VNM)" in r.json()["detail"]
    r = client.post(
        f"/api/v1/decisions/{item}/proposals",
        headers=fresh(client, tokens, "chair", item),
        json={"text_en": "Revised."},
    )
    assert r.json()["positions"] == [] and r.json()["consensus"]["missing"] == MEMBERS


def test_silence_procedure(world):
    client, tokens, url = world
    item = new_item(client, tokens)
    soon = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).isoformat()
    assert (
        client.post(
            f"/api/v1/decisions/{item}/silence",
            headers=fresh(client, tokens, "chair", item),
            json={"deadline": soon},
        ).status_code
        == 403
    )  # the Secretariat circulates
    r = client.post(
        f"/api/v1/decisions/{item}/silence",
        headers=fresh(client, tokens, "secretariat", item),
        json={"deadline": soon},
    )
    assert r.status_code == 200 and r.json()["silence"]["status"] == "running"
    engine = make_engine(url)
    with unit_of_work(session_factory(engine)) as session:  # the deadline passes with no objection
        assert decisions_service.settle_silence(
            session, now=dt.datetime.now(dt.UTC) + dt.timedelta(days=4)
        ) == [item]
    engine.dispose()
    done = client.get(f"/api/v1/decisions/{item}").json()
    assert done["status"] == "adopted" and done["adoption_method"] == "silence_procedure"
    # a second item: an objection breaks the silence
    other = new_item(client, tokens)
    client.post(
        f"/api/v1/decisions/{other}/silence",
        headers=fresh(client, tokens, "secretariat", other),
        json={"deadline": soon},
    )
    assert position(client, tokens, other, "MMR", "object", text="not yet").status_code == 200
    assert client.get(f"/api/v1/decisions/{other}").json()["silence"] == {
        "version": 1,
        "deadline": client.get(f"/api/v1/decisions/{other}").json()["silence"]["deadline"],
        "status": "broken",
        "broken_by": "MMR",
    }


def test_stages_in_order_back_with_reason_and_stale_edits(world):
    client, tokens, _ = world
    item = new_item(client, tokens, stage="identify")
    r = client.post(
        f"/api/v1/decisions/{item}/stage",
        json={"to": "formulate"},
        headers=fresh(client, tokens, "chair", item),
    )
    assert r.status_code == 409
    r = client.post(
        f"/api/v1/decisions/{item}/stage",
        json={"to": "consult"},
        headers=fresh(client, tokens, "chair", item),
    )
    etag = r.headers["etag"]
    assert (
        client.post(
            f"/api/v1/decisions/{item}/stage",
            json={"to": "identify"},
            headers=auth(tokens, "chair") | {"If-Match": etag},
        ).status_code
        == 422
    )
    # a change of an existing record needs the ETag the writer read
    missing = client.post(
        f"/api/v1/decisions/{item}/stage",
        json={"to": "identify", "reason": "scope unclear"},
        headers=auth(tokens, "chair"),
    )
    assert missing.status_code == 428
    assert (
        client.post(
            f"/api/v1/decisions/{item}/stage",
            json={"to": "identify", "reason": "scope unclear"},
            headers=auth(tokens, "chair") | {"If-Match": etag},
        ).status_code
        == 200
    )
    stale = client.post(
        f"/api/v1/decisions/{item}/stage",
        json={"to": "consult"},
        headers=auth(tokens, "chair") | {"If-Match": etag},
    )
    assert stale.status_code == 412
    assert client.get(f"/api/v1/decisions/{item}").json()["stage"] == "identify"
    assert position(client, tokens, item, "IDN").status_code == 409  # not in formulation
    r = client.post(
        f"/api/v1/decisions/{item}/positions",
        headers=fresh(client, tokens, "IDN", item),
        json={"member_state": "XYZ", "kind": "join"},
    )
    assert r.status_code == 422 and "XYZ" in r.json()["detail"]


def test_audience_hides_items(world):
    client, tokens, _ = world
    secret = new_item(client, tokens, audience="member_states")
    shared = new_item(client, tokens, audience="partners")
    assert client.get(f"/api/v1/decisions/{secret}").status_code == 404
    assert client.get(f"/api/v1/decisions/{secret}", headers=auth(tokens, "partner")).status_code == 404
    assert client.get(f"/api/v1/decisions/{shared}", headers=auth(tokens, "partner")).status_code == 200
    assert client.get(f"/api/v1/decisions/{shared}").status_code == 404
    assert client.get(f"/api/v1/decisions/{secret}", headers=auth(tokens, "VNM")).status_code == 200
    r = client.post(
        f"/api/v1/decisions/{shared}/contributions",
        headers=auth(tokens, "partner"),
        json={"text": "Japan can share its community care model."},
    )
    assert r.status_code == 200
    assert position(client, tokens, shared, "IDN").status_code == 200
    r = client.post(
        f"/api/v1/decisions/{shared}/positions",
        headers=fresh(client, tokens, "partner", shared),
        json={"member_state": "IDN", "kind": "join"},
    )
    assert r.status_code == 403


WRITES = {
    # name: (method, path, json) — {item} is an item in formulation with a text, audience public
    "create": ("post", "/api/v1/decisions", {"title_en": "Another item", "body_id": "asoen"}),
    "stage": ("post", "/api/v1/decisions/{item}/stage", {"to": "consult", "reason": "more consultation"}),
    "proposal": ("post", "/api/v1/decisions/{item}/proposals", {"text_en": "Amended text."}),
    "position_idn": ("post", "/api/v1/decisions/{item}/positions", {"member_state": "IDN", "kind": "join"}),
    "adopt": ("post", "/api/v1/decisions/{item}/adopt", None),
    "silence": ("post", "/api/v1/decisions/{item}/silence", {"deadline": "2099-01-01T00:00:00Z"}),
    "comment": ("post", "/api/v1/decisions/{item}/contributions", {"text": "A comment."}),
    "follow_up": ("put", "/api/v1/decisions/{item}/follow-up", {"bodies": ["asoen"]}),
    "edit_body": ("patch", "/api/v1/bodies/asoen", {"established": 1977}),
    "save_meeting": (
        "put",
        "/api/v1/meetings/asoen-40",
        {"id": "asoen-40", "body": "asoen", "title_en": "40th ASOEN"},
    ),
    "agenda": (
        "post",
        "/api/v1/meetings/ammswd-9/agenda",
        {"number": "1", "title": "Adoption of the agenda"},
    ),
    "report": ("put", "/api/v1/meetings/ammswd-9/report", {"text": "Draft report"}),
    "anchor": (
        "put",
        "/api/v1/bodies/asoen/chair-anchor",
        {"year": 2024, "member_state": "MYS", "reason": "records"},
    ),
    "override": (
        "put",
        "/api/v1/bodies/asoen/cycle-overrides",
        {"year": 2027, "chair": "SGP", "reason": "swap"},
    ),
}
#: the record each write changes, read for its ETag (``If-Match``); None: a new record
READ_FIRST = {
    "stage": "/api/v1/decisions/{item}",
    "proposal": "/api/v1/decisions/{item}",
    "position_idn": "/api/v1/decisions/{item}",
    "adopt": "/api/v1/decisions/{item}",
    "silence": "/api/v1/decisions/{item}",
    "follow_up": "/api/v1/decisions/{item}",
    "edit_body": "/api/v1/bodies/asoen",
    "save_meeting": "/api/v1/meetings/asoen-40",  # new at first, replaced once an allowed role saved it
    "report": "/api/v1/meetings/ammswd-9",
    # new at first, replaced once an allowed role recorded them
    "anchor": "/api/v1/bodies/asoen/chair-anchor",
    "override": "/api/v1/bodies/asoen/cycle-overrides/2027",
}
ROLES = ["public", "secretariat", "chair", "other_chair", "IDN", "VNM", "partner"]
ALLOWED = {
    "create": {"secretariat", "chair"},
    "stage": {"secretariat", "chair"},
    "proposal": {"secretariat", "chair"},
    "position_idn": {"IDN"},
    "adopt": {"secretariat", "chair"},
    "silence": {"secretariat"},
    "comment": {"secretariat", "chair", "other_chair", "IDN", "VNM", "partner"},
    "follow_up": {"secretariat", "chair"},
    "edit_body": {"secretariat"},
    "save_meeting": {"secretariat", "chair"},
    "agenda": {"secretariat"},  # the 9th AMMSWD: not the ASOEN chair's meeting
    "report": {"secretariat"},
    "document": {"secretariat"},
    "clearance_idn": {"IDN"},
    "anchor": {"secretariat", "chair"},
    "override": {"secretariat", "chair"},
}


def test_authorisation_matrix(world):
    """Every write endpoint × every role: allowed ones pass its role check, the others get 401/403
    and write nothing (not even an audit entry)."""
    client, tokens, url = world
    engine = make_engine(url)

    def audit_count() -> int:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT count(*) FROM audit_entries")).scalar()

    for name, (method, path, body) in WRITES.items():
        # the item a write acts on, as that write needs it; a refused write leaves it as it was (the
        # audit count checks that), so the next role gets the same item, and a new one once an
        # allowed role changed it. A write that acts on no item gets none.
        item = None
        for role in ROLES:
            if "{item}" in path and item is None:
                item = new_item(client, tokens)
                if name in ("adopt", "follow_up"):  # consensus first, so that an allowed adopt succeeds
                    for code in MEMBERS:
                        position(client, tokens, item, code)
                if name == "clearance_idn":
                    position(client, tokens, item, "IDN", "ad_referendum", clearance_due="2026-12-31")
                if name == "follow_up":
                    client.post(
                        f"/api/v1/decisions/{item}/adopt", headers=fresh(client, tokens, "chair", item)
                    )
            before = audit_count()
            kwargs = {"headers": auth(tokens, role)}
            if name in READ_FIRST:
                current = client.get(READ_FIRST[name].format(item=item), headers=auth(tokens, "secretariat"))
                if current.status_code == 200:
                    kwargs["headers"] = kwargs["headers"] | {"If-Match": current.headers["etag"]}
                else:
                    assert name in ("save_meeting", "anchor", "override") and current.status_code == 404, (
                        name,
                        current.status_code,
                    )
            if body is not None:
                kwargs["json"] = body
            r = client.request(method.upper(), path.format(item=item), **kwargs)
            if role in ALLOWED[name]:
                assert r.status_code in (200, 201), (name, role, r.status_code, r.text)
                item = None
            else:
                expected = 401 if role == "public" else 403
                assert r.status_code == expected, (name, role, r.status_code, r.text)
                assert audit_count() == before, (name, role, "wrote something")
    engine.dispose()
