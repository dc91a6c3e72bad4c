"""Fixtures: real SQLite files and a real PostgreSQL (pgserver) built by the Alembic migrations.

``db_url`` is parametrised over both backends, so every test that uses it runs on each. The shared
``loaded_url`` databases are migrated and loaded once per run and only read by tests; tests that
write get a fresh database from ``fresh_url``.

Speed: each backend's database is built by the real migrations (and the real reference loader)
once per run, as a template; :func:`load` and :func:`migrate` give an empty database a copy of it
(a file copy on SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL). Tests of the migrations
themselves call ``ascc.db.migrate.upgrade``. Passwords are hashed with argon2 at its lowest cost.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import socket
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from ascc.app import create_app
from ascc.config import Settings
from ascc.db.engine import make_engine
from ascc.db.migrate import upgrade
from ascc.db.uow import unit_of_work
from ascc.kit.pagination import MAX_LIMIT
from ascc.reference.files import read_reference
from ascc.reference.loader import load_reference
from ascc.wiring import session_factory

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
BACKENDS = ["sqlite", "postgresql"]
_counter = itertools.count()
T = TypeVar("T")


#: the session signing key of every app the tests build (``Settings()`` reads it from the
#: environment); tests of the key file and of a missing key unset it
TEST_SECRET_KEY = "test-only-session-signing-key"


@pytest.fixture(scope="session", autouse=True)
def session_key() -> Iterator[str]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ASCC_SECRET_KEY", TEST_SECRET_KEY)
        yield TEST_SECRET_KEY


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashes() -> Iterator[None]:
    """Real argon2 hashes and checks, at the lowest cost (production keeps argon2's defaults)."""
    from ascc.accounts import service as accounts_service

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(accounts_service, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        yield


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    import pgserver

    datadir = tempfile.mkdtemp(prefix="ascc-pg-")
    # "delete": the server's files go when the run ends (a full run writes gigabytes; kept, they
    # would fill the disk over a day of runs)
    server = pgserver.get_server(datadir, cleanup_mode="delete")
    # a throwaway server: commits need not reach the disk (the suite's time goes to fsync otherwise)
    engine = make_engine(server.get_uri(), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for setting in ("fsync = off", "synchronous_commit = off", "full_page_writes = off"):
            conn.execute(sa.text(f"ALTER SYSTEM SET {setting}"))
        conn.execute(sa.text("SELECT pg_reload_conf()"))
    engine.dispose()
    try:
        yield server.get_uri()
    finally:
        server.cleanup()


#: databases :func:`new_database` made that the current test module's end drops
_made: list[str] = []


@pytest.fixture(scope="session")
def new_database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """Factory: an empty database URL on the given backend. It lasts until the end of the test
    module that asked for it (:func:`drop_module_databases`), or the run with ``keep=True`` (for
    databases shared across modules)."""

    def make(backend: str, *, keep: bool = False) -> str:
        n = next(_counter)
        if backend == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('db')}/ascc-{n}.db"
        else:
            base = request.getfixturevalue("pg_server")
            name = f"ascc_test_{os.getpid()}_{n}"
            engine = make_engine(base, isolation_level="AUTOCOMMIT")
            with engine.connect() as conn:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
            engine.dispose()
            url = base.replace("/postgres?", f"/{name}?")
        if not keep:
            _made.append(url)
        return url

    return make


@pytest.fixture(scope="module", autouse=True)
def drop_module_databases() -> Iterator[None]:
    """Drop the databases a test module made once its own fixtures have ended: a full run makes
    about a thousand, gigabytes in all, and the disk is shared with everything else."""
    yield
    while _made:
        url = _made.pop()
        if url.startswith("sqlite"):
            path = _sqlite_path(url)
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            continue
        admin, name = _pg_admin(url)
        engine = make_engine(admin, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        finally:
            engine.dispose()


_reference: list = []


@pytest.fixture(scope="session")
def reference():
    if not _reference:
        _reference.append(read_reference())
    return _reference[0]


def _load_for_real(url: str, reference) -> None:
    upgrade(url)
    engine = make_engine(url)
    with unit_of_work(session_factory(engine)) as session:
        load_reference(session, reference)
    engine.dispose()


#: (backend, "migrated" | "loaded") → the template: a SQLite file path or a PostgreSQL database name
_templates: dict[tuple[str, str], str] = {}
_template_dir: list[Path] = []


@pytest.fixture(scope="session", autouse=True)
def remove_templates() -> Iterator[None]:
    yield
    for folder in _template_dir:
        shutil.rmtree(folder, ignore_errors=True)


def _sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def _pg_admin(url: str) -> tuple[str, str]:
    """The server's ``postgres`` database URL and the database name of ``url``."""
    path, sep, query = url.partition("?")
    head, _, name = path.rpartition("/")
    return f"{head}/postgres{sep}{query}", name


def _is_empty(url: str) -> bool:
    """Whether ``url`` is a database nothing has been written to (as :func:`new_database` made it)."""
    if url.startswith("sqlite"):
        path = _sqlite_path(url)
        return not path.exists() or path.stat().st_size == 0
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return not conn.execute(
                sa.text(
                    "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                    " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')"
                    " AND n.nspname NOT LIKE 'pg_toast%'"
                )
            ).scalar()
    finally:
        engine.dispose()


def _template(url: str, kind: str, reference, build: Callable[[str], object] | None = None) -> str:
    """The template of ``url``'s backend, built by the real migrations (and loader) the first time;
    a ``kind`` with a ``build`` is a copy of the loaded template that ``build`` then wrote to."""
    backend = "sqlite" if url.startswith("sqlite") else "postgresql"
    key = (backend, kind)
    if key in _templates:
        return _templates[key]
    loaded = _template(url, "loaded", reference) if build is not None else None
    if backend == "sqlite":
        if not _template_dir:
            _template_dir.append(Path(tempfile.mkdtemp(prefix="ascc-templates-")))
        path = _template_dir[0] / f"{kind}.db"
        built = f"sqlite:///{path}"
    else:
        admin, _ = _pg_admin(url)
        name = f"ascc_template_{os.getpid()}_{kind}"
        engine = make_engine(admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{loaded}"' if loaded else "")))
        engine.dispose()
        built = url.replace(f"/{_pg_admin(url)[1]}", f"/{name}", 1)
    if build is not None:
        if backend == "sqlite":
            shutil.copyfile(loaded, path)
        _built[key] = build(built)
    elif kind == "loaded":
        _load_for_real(built, reference)
    else:
        upgrade(built)
    if backend == "sqlite":
        raw = sqlite3.connect(path)  # fold the WAL into the file, so that the file alone is the copy
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        raw.close()
        _templates[key] = str(path)
    else:
        _templates[key] = name
    return _templates[key]


def _copy_template(url: str, kind: str, reference, build: Callable[[str], object] | None = None) -> bool:
    """Give the empty database ``url`` a copy of the ``kind`` template; ``False`` (nothing done)
    if ``url`` is not empty."""
    if not _is_empty(url):
        return False
    template = _template(url, kind, reference, build)
    if url.startswith("sqlite"):
        target = _sqlite_path(url)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, target)
        return True
    admin, name = _pg_admin(url)
    engine = make_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    finally:
        engine.dispose()
    return True


def load(url: str, reference) -> None:
    """Migrate ``url`` to head and load the reference data into it. An empty database on either
    backend gets a copy of the once-built loaded template (the same rows, the same schema)."""
    if reference is _reference_or_none() and _copy_template(url, "loaded", reference):
        return
    _load_for_real(url, reference)


#: what the ``build`` of each custom template returned, by (backend, kind)
_built: dict[tuple[str, str], object] = {}


def load_built(url: str, reference, kind: str, build: Callable[[str], T]) -> T:
    """Give the empty database ``url`` what :func:`load` gives it and then ``build(url)`` writes
    (accounts, records), and return what ``build`` returned. ``build`` runs once per backend and
    test process, on a template that each later call copies (so it must return the same for every
    copy: tokens, ids). ``kind`` names the template: one per ``build``."""
    if reference is not _reference_or_none() or not _copy_template(url, kind, reference, build):
        load(url, reference)
        return build(url)
    return _built[("sqlite" if url.startswith("sqlite") else "postgresql", kind)]


def every_item(client, url: str, *, params: dict | None = None, headers: dict | None = None) -> list:
    """Every record of a paged list (``{items, total, limit, offset}``), following its pages."""
    items: list = []
    while True:
        r = client.get(
            url, params=(params or {}) | {"limit": MAX_LIMIT, "offset": len(items)}, headers=headers
        )
        assert r.status_code == 200, r.text
        page = r.json()
        items += page["items"]
        if not page["items"] or len(items) >= page["total"]:
            return items


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(app, **options) -> Iterator[str]:
    """A real uvicorn serving ``app`` on loopback in this process: its base URL while it runs."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", **options))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def migrate(url: str) -> None:
    """Migrate ``url`` to head (no reference data): an empty database gets a copy of the
    once-migrated template; use ``ascc.db.migrate.upgrade`` to test the migrations themselves."""
    if not _copy_template(url, "migrated", None):
        upgrade(url)


def _reference_or_none():
    return _reference[0] if _reference else None


_loaded: dict[str, str] = {}


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, new_database, reference) -> str:
    """A migrated database with the reference data loaded (shared; do not write)."""
    backend = request.param
    if backend not in _loaded:
        url = new_database(backend, keep=True)
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


#: the longest files, run first: `make test` spreads whole files over parallel workers in this order
#: (``-n 2 --dist loadfile --no-loadscope-reorder``); a long file handed out last would keep one
#: worker busy alone
LONGEST_FIRST = (
    "tests/test_schemathesis.py",
    "tests/test_decisions.py",
    "tests/knowledge/test_evaluation.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.nodeid.split("::")[0] not in LONGEST_FIRST)  # stable: files stay whole
