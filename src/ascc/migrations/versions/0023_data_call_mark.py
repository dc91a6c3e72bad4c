"""data calls remember the last observation recorded before they opened

Bulk imports on SQLite stamp observations to the second, so a value recorded in the second a call
opened could not be told apart from an answer by time. The call now keeps the highest observation
id at its opening; a later row is an answer whatever its timestamp says.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("data_calls") as batch:
        batch.add_column(sa.Column("observation_mark", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("data_calls") as batch:
        batch.drop_column("observation_mark")
