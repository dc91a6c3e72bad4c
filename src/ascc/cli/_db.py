"""The CLI's unit of work: one transaction per command, audited as ``cli:<command>``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ascc.config import Settings
from ascc.db.engine import make_engine
from ascc.db.migrate import schema_problem
from ascc.db.uow import unit_of_work
from ascc.wiring import session_factory


def stop_unless_current(engine: Engine) -> None:
    """Stop the command, saying what to do, when the database's schema is not this version's."""
    problem = schema_problem(engine)
    if problem:
        Console(stderr=True).print(f"[red]{escape(problem)}[/red]")
        raise typer.Exit(2)


@contextmanager
def command_session(command: str) -> Iterator[Session]:
    """A session in one transaction, committed when the command ends without an error; a
    database whose schema is not this version's stops the command with what to do."""
    engine = make_engine(Settings().database_url)
    try:
        stop_unless_current(engine)
        with unit_of_work(session_factory(engine)) as session:
            session.info["actor"] = f"cli:{command}"
            yield session
    finally:
        engine.dispose()
