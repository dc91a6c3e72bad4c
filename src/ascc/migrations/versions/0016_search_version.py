"""search index version: a second data_version row counting writes of the search index

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 13:50:00

``ascc.knowledge.index`` increments row 2 in the transaction that writes ``search_entries``; the
search keeps the facet and filter columns of the entries in memory per process and reloads them
when the counter moves (``ascc.knowledge.columns``). Row 1 stays the count of every write.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

SEARCH_INDEX = 2  # frozen copy of ascc.db.version.SEARCH_INDEX


def upgrade() -> None:
    table = sa.table("data_version", sa.column("id", sa.Integer), sa.column("version", sa.Integer))
    op.bulk_insert(table, [{"id": SEARCH_INDEX, "version": 0}])


def downgrade() -> None:
    op.execute(f"DELETE FROM data_version WHERE id = {SEARCH_INDEX}")
