"""The schema comes only from the migrations, and the migrations match the models exactly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ascc.accounts import models as _accounts  # noqa: F401 - every domain's tables on Base.metadata
from ascc.audit import models as _audit  # noqa: F401
from ascc.db import version as _version  # noqa: F401
from ascc.db.base import Base
from ascc.db.engine import make_engine
from ascc.db.migrate import upgrade
from ascc.decisions import models as _decisions  # noqa: F401
from ascc.indices import models as _indices  # noqa: F401
from ascc.meetings import models as _meetings  # noqa: F401
from ascc.registry import models as _registry  # noqa: F401


def test_migrations_build_exactly_the_models(fresh_url):
    upgrade(fresh_url)
    engine = make_engine(fresh_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []
