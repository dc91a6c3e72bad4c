"""Silence procedures after their deadline, on SQLite and PostgreSQL: every read shows the item
adopted at the deadline and writes nothing; the job (`ascc jobs run`) stores exactly that, once,
however many run at the same time; a write of the item settles it first (an objection is refused)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from ascc.cli.main import app
from ascc.db import version
from ascc.db.engine import make_engine
from ascc.db.uow import unit_of_work
from ascc.decisions import service as decisions_service
from ascc.decisions.models import SilenceProcedure
from ascc.kit import clock
from ascc.wiring import session_factory
from tests.test_decisions import auth, fresh, new_item, position, world  # noqa: F401  (fixture)

READS = [
    "/api/v1/decisions/{item}",
    "/api/v1/decisions?status=adopted",
    "/api/v1/decisions?status=open",
    "/api/v1/decisions",
    "/api/v1/decisions/popolo",
    "/decisions",
    "/decisions?status=adopted",
    "/decisions/{item}",
    "/decisions/feed.atom",
    "/",
    "/index.json",
    "/member-states/MMR.json",
    "/me.json",
]


@pytest.fixture
def engine(world):  # noqa: F811
    engine = make_engine(world[2])
    yield engine
    engine.dispose()


def under_silence(client, tokens, engine) -> tuple[int, dt.datetime]:
    """An item under a silence procedure whose deadline passed yesterday (the procedure started
    with a deadline ahead, then the clock moved on: the deadline is moved back in the database)."""
    item = new_item(client, tokens)
    assert position(client, tokens, item, "MMR", "join").status_code == 200
    ahead = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).isoformat()
    r = client.post(
        f"/api/v1/decisions/{item}/silence",
        headers=fresh(client, tokens, "secretariat", item),
        json={"deadline": ahead},
    )
    assert r.status_code == 200, r.text
    deadline = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).replace(microsecond=0)
    with engine.begin() as conn:
        conn.execute(
            sa.update(SilenceProcedure).where(SilenceProcedure.item_id == item).values(deadline=deadline)
        )
    return item, deadline


def stored(engine) -> dict:
    """What the database holds: every write counter, the items, the procedures and the row counts
    of stage events, audit entries and notifications."""
    with engine.connect() as conn:

        def rows(sql: str) -> list:
            return [tuple(r) for r in conn.execute(sa.text(sql)).all()]

        return {
            "counters": version.versions(engine),
            "items": rows(
                "SELECT id, status, stage, adopted_on, adoption_method, revision FROM decision_items"
            ),
            "silence": rows("SELECT id, status FROM decision_silence"),
            "counts": rows(
                "SELECT (SELECT count(*) FROM decision_stage_events), (SELECT count(*) FROM audit_entries),"
                " (SELECT count(*) FROM notifications), (SELECT count(*) FROM mail_outbox)"
            ),
        }


def revision(engine, item: int) -> int:
    with engine.connect() as conn:
        return conn.execute(
            sa.text("SELECT revision FROM decision_items WHERE id = :i"), {"i": item}
        ).scalar_one()


def silence_events(engine, item: int) -> list[tuple]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                sa.text(
                    "SELECT reason, actor FROM decision_stage_events WHERE item_id = :i AND actor = 'silence procedure'"
                ),
                {"i": item},
            ).all()
        ]


def test_reads_show_the_adoption_at_the_deadline_and_write_nothing_then_the_job_stores_it(
    world,  # noqa: F811
    engine,
    monkeypatch,
):
    client, tokens, url = world
    item, deadline = under_silence(client, tokens, engine)
    before = stored(engine)
    before_revision = next(r[5] for r in before["items"] if r[0] == item)
    shown = {}
    for who in ("public", "secretariat", "MMR"):
        for path in READS[: -1 if who == "public" else None]:  # /me.json: signed in only
            r = client.get(path.format(item=item), headers=auth(tokens, who))
            assert r.status_code == 200, (who, path, r.status_code)
        r = client.get(f"/api/v1/decisions/{item}", headers=auth(tokens, who))
        shown[who] = (r.json(), r.headers["etag"])
    assert stored(engine) == before  # no read wrote anything: not a counter moved
    assert silence_events(engine, item) == []

    detail, etag = shown["secretariat"]
    assert etag == f'"item-{item}-r{detail["revision"]}"' and detail["revision"] == before_revision + 1
    assert detail["status"] == "adopted" and detail["adoption_method"] == "silence_procedure"
    assert detail["adopted_on"] == deadline.date().isoformat() and detail["stage"] == "implement"
    assert detail["silence"]["status"] == "adopted"
    assert detail["history"][-1]["actor"] == "silence procedure"
    assert dt.datetime.fromisoformat(detail["history"][-1]["at"]) == deadline
    listed = client.get("/api/v1/decisions?status=adopted", headers=auth(tokens, "MMR")).json()["items"]
    assert [i["status"] for i in listed if i["id"] == item] == ["adopted"]
    opened = client.get("/api/v1/decisions?status=open", headers=auth(tokens, "MMR")).json()["items"]
    assert item not in [i["id"] for i in opened]
    assert f"decisions/{item}</id>" in client.get("/decisions/feed.atom").text
    home = client.get("/index.json").json()
    assert item in [i["id"] for i in home["adopted_decisions"]]
    assert item not in [i["id"] for i in home["open_decisions"]]
    profile = client.get("/member-states/MMR.json").json()["positions"]
    assert [p["item"]["status"] for p in profile if p["item"]["id"] == item] == ["adopted"]
    me = client.get("/me.json", headers=auth(tokens, "secretariat")).json()
    assert item not in [e["id"] for e in me["sections"]["silences_ending"]]  # no longer in formulation
    popolo = client.get("/api/v1/decisions/popolo").json()
    assert [
        m["date"] for m in popolo["motions"] if m["sources"][0]["url"].endswith(f"/decisions/{item}")
    ] == [f"{deadline.date().isoformat()}T00:00:00Z"]

    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("ASCC_SMTP_URL", raising=False)
    result = CliRunner().invoke(app, ["jobs", "run"])
    assert result.exit_code == 0, result.output
    after = stored(engine)
    assert after != before
    assert silence_events(engine, item) == [
        (f"adopted by silence procedure on {deadline.date().isoformat()}", "silence procedure")
    ]
    for who in ("public", "secretariat", "MMR"):
        r = client.get(f"/api/v1/decisions/{item}", headers=auth(tokens, who))
        assert (r.json(), r.headers["etag"]) == shown[who]  # stored as the reads showed it
    # once: a second round and `ascc decisions settle` find nothing left to adopt
    assert CliRunner().invoke(app, ["jobs", "run"]).exit_code == 0
    assert CliRunner().invoke(app, ["decisions", "settle"]).exit_code == 0
    assert stored(engine)["items"] == after["items"]
    assert len(silence_events(engine, item)) == 1


def test_two_settles_at_once_adopt_once(world, engine):  # noqa: F811
    client, tokens, _url = world
    items = [under_silence(client, tokens, engine)[0] for _ in range(2)]
    factory = session_factory(engine)
    runners = 4
    barrier = threading.Barrier(runners)
    adopted: list[int] = []
    errors: list[BaseException] = []

    def settle() -> None:
        try:
            barrier.wait()
            with unit_of_work(factory) as session:
                session.info["actor"] = "jobs"
                adopted.extend(decisions_service.settle_silence(session))
        except BaseException as exc:  # reported below
            errors.append(exc)

    revisions = {item: revision(engine, item) for item in items}
    threads = [threading.Thread(target=settle) for _ in range(runners)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(adopted) == items  # each item by exactly one runner
    for item in items:
        assert len(silence_events(engine, item)) == 1
        assert revision(engine, item) == revisions[item] + 1  # touched once


def test_a_write_after_the_deadline_settles_first_and_an_objection_is_refused(world, engine):  # noqa: F811
    client, tokens, _url = world
    item, deadline = under_silence(client, tokens, engine)
    shown = client.get(f"/api/v1/decisions/{item}", headers=auth(tokens, "secretariat")).json()
    before = stored(engine)
    r = position(client, tokens, item, "MMR", "object", text="too late")
    assert r.status_code == 409, r.text  # the item is adopted: no position any more
    assert stored(engine) == before  # refused: nothing stored, the silence is not broken
    assert client.get(f"/api/v1/decisions/{item}").json()["silence"]["status"] == "adopted"
    # a comment (allowed on an adopted item) stores the adoption first, as the reads showed it
    r = client.post(
        f"/api/v1/decisions/{item}/contributions",
        headers=auth(tokens, "MMR"),
        json={"kind": "comment", "text": "Noted."},
    )
    assert r.status_code == 200, r.text
    assert silence_events(engine, item) == [
        (f"adopted by silence procedure on {deadline.date().isoformat()}", "silence procedure")
    ]
    now = r.json()
    for key in ("status", "stage", "adopted_on", "adoption_method", "history", "silence", "consensus"):
        assert now[key] == shown[key], key
    assert now["revision"] == shown["revision"] + 1  # the comment's own
    with unit_of_work(session_factory(engine)) as session:
        assert decisions_service.settle_silence(session) == []


def test_when_the_clock_passes_the_deadline_reads_show_the_adoption(world, engine):  # noqa: F811
    """The platform's one clock (``kit.clock``): set past a silence deadline, every read in the
    process sees the adoption on the deadline's date; back to now, the item is open again (nothing
    was stored), and the job run at the later time stores it."""
    client, tokens, _ = world
    item = new_item(client, tokens)
    assert position(client, tokens, item, "MMR", "join").status_code == 200
    deadline = (clock.now() + dt.timedelta(days=3)).replace(microsecond=0)
    r = client.post(
        f"/api/v1/decisions/{item}/silence",
        headers=fresh(client, tokens, "secretariat", item),
        json={"deadline": deadline.isoformat()},
    )
    assert r.status_code == 200, r.text
    read = lambda: client.get(f"/api/v1/decisions/{item}", headers=auth(tokens, "secretariat")).json()  # noqa: E731
    assert read()["status"] == "open"
    with clock.frozen(deadline + dt.timedelta(hours=1)):
        later = read()
        assert (later["status"], later["adoption_method"], later["adopted_on"]) == (
            "adopted",
            "silence_procedure",
            deadline.date().isoformat(),
        )
    before = stored(engine)
    assert read()["status"] == "open" and stored(engine) == before
    with clock.frozen(deadline + dt.timedelta(days=1)):
        result = CliRunner().invoke(app, ["jobs", "run"], env={"DATABASE_URL": world[2]})
        assert result.exit_code == 0, result.output
    assert read()["status"] == "adopted"
