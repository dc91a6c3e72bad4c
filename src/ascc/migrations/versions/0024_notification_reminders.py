"""notification_reminders: the time-based reminders already made, one row per key and user

The notify job derives reminders (a data call's deadline nears, a meeting's paper deadline nears);
this table makes it idempotent: running the job twice makes one reminder per recipient and threshold.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notification_reminders",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notification_reminders_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("key", "user_id", name=op.f("pk_notification_reminders")),
    )


def downgrade() -> None:
    op.drop_table("notification_reminders")
