"""Alembic environment: migrations run in one transaction; SQLite uses batch mode for ALTERs."""

from __future__ import annotations

from alembic import context
from sqlalchemy import pool

from ascc.accounts import models as accounts_models  # noqa: F401 - registers the account tables
from ascc.audit import models as audit_models  # noqa: F401 - registers the audit tables
from ascc.db import version  # noqa: F401 - registers data_version
from ascc.db.base import Base
from ascc.db.engine import make_engine
from ascc.decisions import models as decisions_models  # noqa: F401 - registers the decision tables
from ascc.disasters import models as disasters_models  # noqa: F401 - registers the disaster tables
from ascc.funds import models as funds_models  # noqa: F401 - registers the fund tables
from ascc.indices import models as indices_models  # noqa: F401 - registers the index result tables
from ascc.knowledge import models as knowledge_models
from ascc.meetings import models as meetings_models  # noqa: F401 - registers the meeting tables
from ascc.monitoring import models as monitoring_models  # noqa: F401 - registers the monitoring tables
from ascc.monitoring.targets import models as target_models  # noqa: F401 - registers the targets table
from ascc.national import models as national_models  # noqa: F401 - registers the national plan tables
from ascc.notifications import models as notifications_models  # noqa: F401 - registers the notification tables
from ascc.registry import models  # noqa: F401 - registers the tables on Base.metadata
from ascc.results import models as results_models  # noqa: F401 - registers the results tables

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is None:
        engine = make_engine(
            config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool, count_tables=False
        )
        with engine.connect() as connection:
            _run(connection)
        engine.dispose()
    else:
        _run(connectable)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        include_object=knowledge_models.include_object,  # FTS5 / tsvector objects are per dialect
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
