"""The audit trail records every write and finds tampering."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ascc.app import create_app
from ascc.audit import service as audit_service
from ascc.cli.main import app as cli
from ascc.config import Settings
from ascc.db.engine import make_engine
from ascc.wiring import session_factory
from tests.conftest import if_match, load, make_user


def verify(url: str):
    engine = make_engine(url)
    with session_factory(engine)() as session:
        result = audit_service.verify(session)
    engine.dispose()
    return result


def test_a_write_is_recorded_with_actor_before_and_after(fresh_url, reference):
    load(fresh_url, reference)
    token = make_user(fresh_url, email="officer@asean.org")
    with TestClient(create_app(Settings(database_url=fresh_url))) as c:
        auth = if_match(c, "/api/v1/bodies/acw", {"Authorization": f"Bearer {token}"})
        r = c.patch("/api/v1/bodies/acw", json={"established": 1976}, headers=auth)
        assert r.status_code == 200
    engine = make_engine(fresh_url)
    with session_factory(engine)() as session:
        entries = audit_service.history(session, entity="bodies", entity_id="acw")
        assert [e.action for e in entries] == ["create", "update"]
        last = entries[-1]
        assert last.actor.startswith("user:")
        assert last.before["established"] is None and last.after["established"] == 1976
        users = audit_service.history(session, entity="users", entity_id="1")
        # not the secret: a digest of it, so that a secret changed behind the application's back is found
        assert users[0].after["password_hash"].startswith("<redacted sha256:")
        secret = session.scalar(sa.text("SELECT password_hash FROM users WHERE id = 1"))
        assert secret not in users[0].after["password_hash"]
    engine.dispose()
    assert verify(fresh_url).ok


def test_verify_finds_an_altered_entry(fresh_url, reference):
    load(fresh_url, reference)
    assert verify(fresh_url).ok
    engine = make_engine(fresh_url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit_entries SET actor = 'someone-else' WHERE seq = 42"))
    engine.dispose()
    result = verify(fresh_url)
    assert not result.ok and result.first_bad == 42 and "altered" in result.reason


def test_verify_finds_a_missing_entry_and_a_cut_tail(fresh_url, reference, monkeypatch):
    load(fresh_url, reference)
    engine = make_engine(fresh_url)
    with engine.begin() as conn:
        last = conn.execute(sa.text("SELECT max(seq) FROM audit_entries")).scalar()
        conn.execute(sa.text("DELETE FROM audit_entries WHERE seq = :s"), {"s": last})
    result = verify(fresh_url)
    assert not result.ok and result.first_bad == last and "missing" in result.reason
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM audit_entries WHERE seq = 10"))
    engine.dispose()
    result = verify(fresh_url)
    assert not result.ok and result.first_bad == 10
    monkeypatch.setenv("DATABASE_URL", fresh_url)
    out = CliRunner().invoke(cli, ["audit", "verify"])
    assert out.exit_code == 1 and "entry 10" in out.output


def test_a_failed_request_writes_no_audit_entry(fresh_url, reference):
    load(fresh_url, reference)
    token = make_user(fresh_url, email="officer@asean.org")
    engine = make_engine(fresh_url)
    with engine.connect() as conn:
        before = conn.execute(sa.text("SELECT count(*) FROM audit_entries")).scalar()
    with TestClient(create_app(Settings(database_url=fresh_url))) as c:
        auth = if_match(c, "/api/v1/bodies/acw", {"Authorization": f"Bearer {token}"})
        r = c.patch("/api/v1/bodies/acw", json={"established": 1066}, headers=auth)
        assert r.status_code == 422
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM audit_entries")).scalar() == before
    engine.dispose()
