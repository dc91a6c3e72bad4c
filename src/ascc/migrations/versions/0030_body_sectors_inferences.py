"""bodies: further sectors a body serves, inferences kept apart from sourced values; dated events


``other_sectors``: the ids of further sectors a body serves (the seed lists it in each sector's
table, e.g. the ASEAN Committee on Culture and Information). ``inferences``: values no source
states as such but a user needs (an obvious reporting line), each with its reasoning.
``dates`` on bodies and programmes: signature, entry into force, establishment …, each with the
URL (or seed quote) that gives it; ``dates_note`` says what no source was found for. All are NULL
in rows loaded before; the reference loader leaves an empty one out of a record's digest.

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
    for table in ("bodies", "programmes"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("dates", sa.JSON(), nullable=True))
            batch.add_column(sa.Column("dates_note", sa.Text(), nullable=True))


def downgrade() -> None:
    for table in ("programmes", "bodies"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("dates_note")
            batch.drop_column("dates")
    with op.batch_alter_table("bodies") as batch:
        batch.drop_column("inferences")
        batch.drop_column("other_sectors")
