"""audit row digests: what a bulk batch wrote, recorded in its audit entry

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 11:00:00

Bulk loads write their rows with Core ``executemany`` under one audit entry, that of their batch
row. The batch row now carries the digest of the rows it wrote (``ascc.audit.rows.RowsDigest``) so
that ``ascc audit verify`` can tell whether they are still those rows: ``observation_batches``
gets ``rows_sha256`` and ``approval`` (the approval state the import gave its rows),
``index_runs`` gets ``results_sha256``. Batches written before this migration keep NULL (checked by
their number of rows only).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("observation_batches") as batch:
        batch.add_column(sa.Column("rows_sha256", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("approval", sa.String(length=20), nullable=True))
    with op.batch_alter_table("index_runs") as batch:
        batch.add_column(sa.Column("results_sha256", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("index_runs") as batch:
        batch.drop_column("results_sha256")
    with op.batch_alter_table("observation_batches") as batch:
        batch.drop_column("approval")
        batch.drop_column("rows_sha256")
