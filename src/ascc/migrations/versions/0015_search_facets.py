"""search facets: a covering index of the facet and filter columns of search entries (SQLite)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 18:10:00

The SQLite search joins every ``search_fts`` match to its ``search_entries`` row for the audience,
the filters and the facet values (and, grouped, the document). Those rows are wide (texts, terms,
folded texts), spread over the whole file; this index holds just the columns the join reads, keyed
by ``id``, so the join reads a small B-tree instead (``ascc.knowledge.backends``). PostgreSQL ranks
and counts from its GIN index and the heap rows it has to read anyway: no index there. The index is
per dialect, so it is outside the ORM metadata (``ascc.knowledge.models.DIALECT_ONLY``).
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# frozen copy of ascc.knowledge.backends.FACET_INDEX_COLUMNS
COLUMNS = "id, audience, kind, year, heading, document_id, languages, sectors"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"CREATE INDEX ix_search_entries_facets ON search_entries ({COLUMNS})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP INDEX IF EXISTS ix_search_entries_facets")
