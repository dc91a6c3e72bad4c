"""The response cache (``http.cache``) keeps public answers while the tables they were built from
are unchanged, on SQLite and PostgreSQL, across apps (processes) sharing one database.

To see whether an answer came from the cache, a test changes a row behind the platform's back (a
plain driver connection: no counter moves), which only a freshly built answer shows.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import sqlite3
import threading
import time

import psycopg
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from ascc.app import create_app
from ascc.config import Settings
from ascc.db import version
from ascc.db.engine import make_engine, normalise_url
from ascc.registry import service as registry_service
from tests.conftest import if_match, load, make_user
from tests.test_decisions import auth, fresh, new_item
from tests.test_decisions import world as world


@pytest.fixture
def site(fresh_url, reference):
    load(fresh_url, reference)
    token = make_user(fresh_url, email="officer@asean.org")
    with TestClient(create_app(Settings(database_url=fresh_url))) as client:
        yield client, {"Authorization": f"Bearer {token}"}, fresh_url


def behind_the_back(url: str, sql: str) -> None:
    """Run ``sql`` on a plain driver connection: the platform's write counters do not move."""
    if url.startswith("sqlite"):
        with sqlite3.connect(sa.make_url(url).database) as raw:
            raw.execute(sql)
        return
    with psycopg.connect(
        sa.make_url(normalise_url(url)).set(drivername="postgresql").render_as_string(False)
    ) as raw:
        raw.execute(sql)


def test_a_write_elsewhere_keeps_the_answer_a_write_of_its_tables_drops_it(site):
    client, officer, url = site
    name = client.get("/api/v1/bodies/asoen").json()["name"]["en"]
    behind_the_back(url, "UPDATE bodies SET name_en = 'Not seen while cached' WHERE id = 'asoen'")
    # a write of other tables (a decision) leaves the cached body in place
    r = client.post(
        "/api/v1/decisions",
        headers=officer,
        json={"title_en": "Haze monitoring", "body_id": "asoen", "audience": "public"},
    )
    assert r.status_code == 201
    assert client.get("/api/v1/bodies/asoen").json()["name"]["en"] == name
    # a write of the body's table: the next read is built again and shows it
    r = client.patch(
        "/api/v1/bodies/asoen",
        json={"established": 1977},
        headers=if_match(client, "/api/v1/bodies/asoen", officer),
    )
    assert r.status_code == 200
    body = client.get("/api/v1/bodies/asoen").json()
    assert body["established"] == 1977 and body["name"]["en"] == "Not seen while cached"


def test_pages_are_kept_per_language_and_dropped_on_a_write(site):
    client, officer, url = site
    english = client.get("/bodies/asoen", headers={"Accept-Language": "en"})
    indonesian = client.get("/bodies/asoen", headers={"Accept-Language": "id"})
    assert english.headers["content-language"] == "en" and indonesian.headers["content-language"] == "id"
    assert "set-cookie" not in english.headers  # a page without a form leaves the session alone
    behind_the_back(url, "UPDATE bodies SET mandate_en = 'Hidden mandate' WHERE id = 'asoen'")
    assert "Hidden mandate" not in client.get("/bodies/asoen", headers={"Accept-Language": "en"}).text
    r = client.patch(
        "/api/v1/bodies/asoen",
        json={"established": 1977},
        headers=if_match(client, "/api/v1/bodies/asoen", officer),
    )
    assert r.status_code == 200
    assert "Hidden mandate" in client.get("/bodies/asoen", headers={"Accept-Language": "en"}).text


def test_two_apps_on_one_database_see_each_others_writes(site):
    """Each app (each server process) keeps its own entries; the counters are in the database."""
    client, officer, url = site
    with TestClient(create_app(Settings(database_url=url))) as other:
        assert "1977" not in other.get("/bodies/asoen").text
        assert other.get("/api/v1/bodies/asoen").json()["established"] != 1977
        r = client.patch(
            "/api/v1/bodies/asoen",
            json={"established": 1977},
            headers=if_match(client, "/api/v1/bodies/asoen", officer),
        )
        assert r.status_code == 200
        assert other.get("/api/v1/bodies/asoen").json()["established"] == 1977
        assert "1977" in other.get("/bodies/asoen").text


def test_signed_in_pages_are_never_shared(site):
    client, _officer, url = site
    make_user(
        url, email="zebulon@asoen.org", role="chair", body_id="asoen", password="a long enough password"
    )
    with TestClient(create_app(Settings(database_url=url))) as signed_in:
        page = signed_in.get("/login")
        csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        r = signed_in.post(
            "/login",
            data={"email": "zebulon@asoen.org", "password": "a long enough password", "csrf": csrf},
            follow_redirects=False,
        )
        assert r.status_code in (302, 303)
        assert "zebulon" in signed_in.get("/").text
        assert "zebulon" in signed_in.get("/bodies/asoen").text
    assert "zebulon" not in client.get("/").text
    assert "zebulon" not in client.get("/bodies/asoen").text


def test_an_answer_with_a_deadline_is_kept_until_it(world):
    client, tokens, _url = world
    item = new_item(client, tokens)
    deadline = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2)
    r = client.post(
        f"/api/v1/decisions/{item}/silence",
        headers=fresh(client, tokens, "secretariat", item),
        json={"deadline": deadline.isoformat()},
    )
    assert r.status_code == 200
    assert client.get(f"/api/v1/decisions/{item}").json()["silence"]["status"] == "running"
    assert client.get("/api/v1/decisions").status_code == 200
    assert f"decisions/{item}</id>" not in client.get("/decisions/feed.atom").text
    time.sleep(max(0.0, (deadline - dt.datetime.now(dt.UTC)).total_seconds()) + 0.2)
    # nobody wrote since: only the deadline tells the cache that the kept answer is over
    assert client.get(f"/api/v1/decisions/{item}").json()["status"] == "adopted"
    assert f"decisions/{item}</id>" in client.get("/decisions/feed.atom").text
    assert [i["status"] for i in client.get("/api/v1/decisions").json()["items"] if i["id"] == item] == [
        "adopted"
    ]
    assert (
        client.get(f"/api/v1/decisions/{item}", headers=auth(tokens, "chair")).json()["status"] == "adopted"
    )


def test_every_write_moves_the_counters_of_the_tables_it_changes(db_url, new_database, reference):
    url = new_database("sqlite" if db_url.startswith("sqlite") else "postgresql")
    load(url, reference)
    engine = make_engine(url)
    try:
        before = version.versions(engine)

        def moved() -> set[int]:
            now = version.versions(engine)
            return {c for c in now if now[c] != before.get(c, 0)}

        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE bodies SET established = 1977 WHERE id = 'asoen'"))
        assert version.table_counter("bodies") in moved()
        assert not moved() & {
            version.table_counter(t) for t in ("decision_items", "meetings", version.EVERYTHING)
        }
        before = version.versions(engine)
        with engine.begin() as conn:  # nothing written: nothing moves
            conn.execute(sa.text("SELECT * FROM bodies"))
        assert moved() == set()
        with engine.begin() as conn:  # a rolled back write moves nothing either
            conn.execute(sa.text("UPDATE bodies SET established = 1978 WHERE id = 'asoen'"))
            conn.rollback()
        assert moved() == set()
        # a delete that cascades (meeting records go with their meeting) moves both tables
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO meetings (id, body_id, title_en, member_states, partners, outcomes, "
                    "sources, corrections) VALUES ('m-1', 'asoen', 'M', '[]', '[]', '[]', '[]', '[]')"
                )
            )
        before = version.versions(engine)
        with engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM meetings WHERE id = 'm-1'"))
        children = {
            t.name
            for t in _tables(engine)
            if any(fk.column.table.name == "meetings" and fk.ondelete for fk in t.foreign_keys)
        }
        assert children and {version.table_counter(t) for t in {"meetings", *children}} <= moved()
        assert version.table_counter("bodies") not in moved()
        # what cannot be named (here a schema change) moves the counter every answer depends on
        before = version.versions(engine)
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE scratch (x INTEGER)"))
        assert version.table_counter(version.EVERYTHING) in moved()
    finally:
        engine.dispose()


def _tables(engine):
    import ascc.app  # noqa: F401 - every model registered
    from ascc.db.base import Base

    return Base.metadata.tables.values()


def test_the_kept_body_list_lasts_until_a_body_is_written_and_never_hides_a_sessions_own_writes(site):
    """``db.version.kept``: the list of bodies the calendar, decision and results pages read at each
    request is kept per process while the registry's tables stay; a write of other tables keeps
    it, a write of a body drops it, and a session with writes of its own reads them."""
    from ascc.registry import service as registry
    from ascc.registry.models import Body
    from ascc.wiring import session_factory

    client, officer, url = site
    engine = make_engine(url)
    factory = session_factory(engine)

    def names() -> dict[str, str]:
        with factory() as session:
            return {b.id: b.name.en for b in registry.list_bodies(session, limit=500).items}

    try:
        before = names()["asoen"]
        behind_the_back(url, "UPDATE bodies SET name_en = 'Not seen while kept' WHERE id = 'asoen'")
        assert names()["asoen"] == before  # the copy: no counter of its tables moved
        r = client.post(
            "/api/v1/decisions",
            headers=officer,
            json={"title_en": "Haze monitoring", "body_id": "asoen", "audience": "public"},
        )
        assert r.status_code == 201
        assert names()["asoen"] == before  # a decision's tables are not the bodies'
        with factory() as session:  # a session's own uncommitted write is read, not the copy
            session.get(Body, "asoen").name_en = "Renamed in this transaction"
            session.flush()
            mine = {b.id: b.name.en for b in registry.list_bodies(session, limit=500).items}
            assert mine["asoen"] == "Renamed in this transaction"
            session.rollback()
        assert names()["asoen"] == before
        r = client.patch(
            "/api/v1/bodies/asoen",
            json={"established": 1977},
            headers=if_match(client, "/api/v1/bodies/asoen", officer),
        )
        assert r.status_code == 200
        assert names()["asoen"] == "Not seen while kept"  # a body was written: read again
    finally:
        engine.dispose()


def _rebuild_held(monkeypatch) -> tuple[threading.Event, threading.Event]:
    """Hold every build of a body's answer until ``release`` is set; ``started`` tells one began."""
    started, release = threading.Event(), threading.Event()
    real = registry_service.get_body

    def held(*args, **kwargs):
        started.set()
        assert release.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(registry_service, "get_body", held)
    return started, release


@pytest.mark.parametrize("stale_seconds", [60.0, 0.0])
def test_while_an_answer_is_rebuilt_other_readers_get_the_previous_copy_within_the_bound(
    site, monkeypatch, stale_seconds
):
    """Stale-while-revalidate: after a write, the first public reader rebuilds the answer; the
    readers arriving meanwhile get the copy from before the write, with its ``Age``, when it is
    younger than ``cache_stale_seconds`` — with 0 they wait for the new answer instead."""
    client, officer, _url = site
    client.app.state.settings.cache_stale_seconds = stale_seconds
    before = client.get("/api/v1/bodies/asoen").json()["established"]
    r = client.patch(
        "/api/v1/bodies/asoen",
        json={"established": 1977},
        headers=if_match(client, "/api/v1/bodies/asoen", officer),
    )
    assert r.status_code == 200 and before != 1977
    started, release = _rebuild_held(monkeypatch)
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        rebuilding = pool.submit(client.get, "/api/v1/bodies/asoen")
        assert started.wait(30)
        meanwhile = pool.submit(client.get, "/api/v1/bodies/asoen")
        if stale_seconds:
            old = meanwhile.result(timeout=30)  # answered while the rebuild is still held
            assert old.json()["established"] == before and "age" in old.headers
            assert not rebuilding.done()
        else:
            done, _ = concurrent.futures.wait([meanwhile], timeout=1)
            assert not done  # it waits for the rebuild
        release.set()
        assert rebuilding.result(timeout=30).json()["established"] == 1977
        if not stale_seconds:
            assert meanwhile.result(timeout=30).json()["established"] == 1977
    again = client.get("/api/v1/bodies/asoen")
    assert again.json()["established"] == 1977 and "age" not in again.headers
