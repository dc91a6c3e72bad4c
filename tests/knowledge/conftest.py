"""A database per backend with the reference data, the five seed documents and the demo indicator
definitions (written through the ORM, so indexed by the commit hook), shared and read-only."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from ascc.app import create_app
from ascc.config import Settings
from ascc.db.engine import make_engine
from ascc.db.uow import unit_of_work
from ascc.knowledge import service as knowledge_service
from ascc.monitoring import loader
from ascc.monitoring.models import Indicator
from ascc.wiring import session_factory
from tests.conftest import BACKENDS, SEEDS, load

_kb: dict[str, str] = {}


@pytest.fixture(params=BACKENDS)
def kb_url(request, new_database, reference) -> str:
    backend = request.param
    if backend not in _kb:
        url = new_database(backend, keep=True)
        load(url, reference)
        engine = make_engine(url)
        with unit_of_work(session_factory(engine)) as session:
            knowledge_service.load_seeds(session, folder=SEEDS)
            session.add_all(Indicator(**rec) for rec in loader.indicator_records())
        engine.dispose()
        _kb[backend] = url
    return _kb[backend]


@pytest.fixture
def kb_session(kb_url):
    engine = make_engine(kb_url)
    s = session_factory(engine)()
    try:
        yield s
    finally:
        s.rollback()
        s.close()
        engine.dispose()


@pytest.fixture
def kb_client(kb_url) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=kb_url))) as c:
        yield c


@pytest.fixture
def factory(url):
    """Sessions on the test module's own ``url`` database."""
    engine = make_engine(url)
    yield session_factory(engine)
    engine.dispose()
