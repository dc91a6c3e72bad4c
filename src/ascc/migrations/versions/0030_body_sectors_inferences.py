"""bodies: further sectors a body serves, and inferences kept apart from sourced values

``other_sectors``: the ids of further sectors a body serves (the seed lists it in each sector's
table, e.g. the ASEAN Committee on Culture and Information). ``inferences``: values no source
states as such but a user needs (an obvious reporting line), each with its reasoning. Both are
NULL in rows loaded before; the reference loader reads NULL as "not loaded yet".

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-08 00:55:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("bodies") as batch:
        batch.add_column(sa.Column("other_sectors", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("inferences", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("bodies") as batch:
        batch.drop_column("inferences")
        batch.drop_column("other_sectors")
