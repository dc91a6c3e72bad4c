"""The CLI's unit of work: one transaction per command, audited as ``cli:<command>``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from ascc.config import Settings
from ascc.db.engine import make_engine
from ascc.db.uow import unit_of_work
from ascc.wiring import session_factory


@contextmanager
def command_session(command: str) -> Iterator[Session]:
    engine = make_engine(Settings().database_url)
    try:
        with unit_of_work(session_factory(engine)) as session:
            session.info["actor"] = f"cli:{command}"
            yield session
    finally:
        engine.dispose()
