"""Fixtures: real SQLite files and a real PostgreSQL (pgserver) built by the Alembic migrations.

``db_url`` is parametrised over both backends, so every test that uses it runs on each. The shared
``loaded_url`` databases are migrated and loaded once per run and only read by tests; tests that
write get a fresh database from ``fresh_url``.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from ascc.app import create_app
from ascc.config import Settings
from ascc.db.engine import make_engine
from ascc.db.migrate import upgrade
from ascc.db.uow import unit_of_work
from ascc.reference.files import read_reference
from ascc.reference.loader import load_reference
from ascc.wiring import session_factory

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
BACKENDS = ["sqlite", "postgresql"]
_counter = itertools.count()


#: the session signing key of every app the tests build (``Settings()`` reads it from the
#: environment); tests of the key file and of a missing key unset it
TEST_SECRET_KEY = "test-only-session-signing-key"


@pytest.fixture(scope="session", autouse=True)
def session_key() -> Iterator[str]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ASCC_SECRET_KEY", TEST_SECRET_KEY)
        yield TEST_SECRET_KEY


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    import pgserver

    datadir = tempfile.mkdtemp(prefix="ascc-pg-")
    server = pgserver.get_server(datadir, cleanup_mode="stop")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()


@pytest.fixture(scope="session")
def new_database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """Factory: an empty database URL on the given backend."""

    def make(backend: str) -> str:
        n = next(_counter)
        if backend == "sqlite":
            return f"sqlite:///{tmp_path_factory.mktemp('db')}/ascc-{n}.db"
        base = request.getfixturevalue("pg_server")
        name = f"ascc_test_{os.getpid()}_{n}"
        engine = make_engine(base, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        return base.replace("/postgres?", f"/{name}?")

    return make


@pytest.fixture(scope="session")
def reference():
    return read_reference()


def load(url: str, reference) -> None:
    upgrade(url)
    engine = make_engine(url)
    with unit_of_work(session_factory(engine)) as session:
        load_reference(session, reference)
    engine.dispose()


_loaded: dict[str, str] = {}


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, new_database, reference) -> str:
    """A migrated database with the reference data loaded (shared; do not write)."""
    backend = request.param
    if backend not in _loaded:
        url = new_database(backend)
        load(url, reference)
        _loaded[backend] = url
    return _loaded[backend]


@pytest.fixture(params=BACKENDS)
def fresh_url(request: pytest.FixtureRequest, new_database) -> str:
    """An empty database of its own (not migrated) on each backend."""
    return new_database(request.param)


@pytest.fixture
def session(db_url: str):
    engine = make_engine(db_url)
    factory = session_factory(engine)
    s = factory()
    try:
        yield s
    finally:
        s.rollback()
        s.close()
        engine.dispose()


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=db_url))) as c:
        yield c


def make_user(
    url: str, *, email: str, role: str = "secretariat", password: str = "a long enough password", **fields
) -> str:
    """Create an account on ``url`` and return an API token for it."""
    from ascc.accounts import service as accounts_service
    from ascc.accounts.schemas import UserCreate

    engine = make_engine(url)
    try:
        with unit_of_work(session_factory(engine)) as session:
            user = accounts_service.create_user(
                session,
                data=UserCreate(
                    email=email, name=email.split("@")[0], role=role, password=password, **fields
                ),
            )
            return accounts_service.create_token(session, user_id=user.id, label="test")
    finally:
        engine.dispose()


def if_match(client: TestClient, path: str, headers: dict[str, str] | None = None) -> dict[str, str]:
    """Read ``path`` as a client would before changing it, and return ``headers`` with the
    ``If-Match`` the change needs (the record's ETag as read)."""
    got = client.get(path, headers=headers or {})
    assert got.status_code == 200, (path, got.status_code, got.text[:300])
    etag = got.headers.get("etag")
    assert etag, f"GET {path} gave no ETag"
    return {**(headers or {}), "If-Match": etag}
