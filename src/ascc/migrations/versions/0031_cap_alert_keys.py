"""CAP alerts keyed as CAP keys them (sender, identifier, sent); each info block's language and the
UTC offsets its times were given with

``disaster_alerts.key`` was ``identifier#n``: two senders' alerts with one identifier collided, and
an update re-using an identifier with a new ``sent`` replaced the original. Existing keys are
rewritten to ``sender|identifier|sent (UTC)#n``. ``language`` is null for rows stored before (read
as CAP's default, en-US) and ``offsets`` null (their times read in UTC).

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-08 01:20:00
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("disaster_alerts", sa.Column("language", sa.String(35), nullable=True))
    op.add_column("disaster_alerts", sa.Column("offsets", sa.JSON(), nullable=True))
    table = sa.table(
        "disaster_alerts",
        sa.column("id", sa.Integer),
        sa.column("key", sa.String),
        sa.column("sender", sa.String),
        sa.column("identifier", sa.String),
        sa.column("sent", sa.DateTime(timezone=True)),
    )
    bind = op.get_bind()
    for row_id, key, sender, identifier, sent in bind.execute(
        sa.select(table.c.id, table.c.key, table.c.sender, table.c.identifier, table.c.sent)
    ).all():
        sent = sent.replace(tzinfo=dt.UTC) if sent.tzinfo is None else sent.astimezone(dt.UTC)
        number = key.rsplit("#", 1)[-1] if "#" in key else "1"
        new = f"{sender}|{identifier}|{sent.isoformat()}#{number}"
        bind.execute(sa.update(table).where(table.c.id == row_id).values(key=new))


def downgrade() -> None:
    table = sa.table(
        "disaster_alerts",
        sa.column("id", sa.Integer),
        sa.column("key", sa.String),
        sa.column("identifier", sa.String),
    )
    bind = op.get_bind()
    seen: dict[str, int] = {}
    for row_id, identifier in bind.execute(
        sa.select(table.c.id, table.c.identifier).order_by(table.c.id)
    ).all():
        seen[identifier] = seen.get(identifier, 0) + 1
        bind.execute(
            sa.update(table).where(table.c.id == row_id).values(key=f"{identifier}#{seen[identifier]}")
        )
    with op.batch_alter_table("disaster_alerts") as batch:
        batch.drop_column("offsets")
        batch.drop_column("language")
