"""meetings: the public source of a meeting's dates, and what no source was found for

``date_url``: the page that gives a meeting's dates (and place) where no seed quote states them;
``dates_note``: what no source was found for (e.g. the 9th AMMSWD, which the seed leaves undated).
Both are NULL in rows loaded before; the reference loader leaves an empty one out of a record's
digest, so those rows still read as unedited.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-08 03:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("meetings") as batch:
        batch.add_column(sa.Column("date_url", sa.String(length=500), nullable=True))
        batch.add_column(sa.Column("dates_note", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("meetings") as batch:
        batch.drop_column("dates_note")
        batch.drop_column("date_url")
