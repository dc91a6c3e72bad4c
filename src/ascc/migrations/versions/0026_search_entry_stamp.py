"""search entries carry the search index counter of their last write (``stamp``)

An entry inserted or changed gets the value the index counter (``data_version`` row 2) takes at the
commit of that write. A process keeping the index's postings in memory at counter C reads only the
entries stamped after C (and drops the ones gone) instead of every entry: the postings are patched,
not rebuilt, after a write. Rows written before this migration have stamp 0.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 17:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ADD COLUMN: a batch copy of ``search_entries`` would drop the FTS5 triggers on it
    op.add_column("search_entries", sa.Column("stamp", sa.Integer(), nullable=False, server_default="0"))
    op.create_index("ix_search_entries_stamp", "search_entries", ["stamp"])


def downgrade() -> None:
    op.drop_index("ix_search_entries_stamp", table_name="search_entries")
    op.drop_column("search_entries", "stamp")
