"""Run the Alembic migrations shipped inside the package; the schema is created only this way."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Engine

from ascc.db.engine import normalise_url

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


@lru_cache(maxsize=1)
def _script_directory() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def heads() -> frozenset[str]:
    """The schema revisions this code works with (the migrations' heads)."""
    return frozenset(_script_directory().get_heads())


def schema_problem(engine: Engine) -> str | None:
    """What is wrong with the database's schema for this code, and what to do; ``None`` if nothing.

    Commands and the server check this before they touch anything, so an old or empty database
    gives one clear line instead of an error from the first missing table.
    """
    with engine.connect() as conn:
        current = frozenset(MigrationContext.configure(conn).get_current_heads())
    if current == heads():
        return None
    where = engine.url.render_as_string(hide_password=True)
    if not current:
        return f"the database {where} has no schema yet: run `ascc init` to create it"
    revisions = ", ".join(sorted(current))
    try:
        _script_directory().get_revisions(tuple(current))
    except CommandError:
        return (
            f"the database {where} is at schema revision {revisions}, which this version of ascc does not "
            "know: it was made by a newer version; run that one"
        )
    return (
        f"the database {where} is at schema revision {revisions}; this version of ascc needs "
        f"{', '.join(sorted(heads()))}: run `ascc init` to upgrade it (your data is kept)"
    )
