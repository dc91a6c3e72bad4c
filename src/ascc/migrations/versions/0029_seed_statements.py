"""statements: what a seed states about a pillar, sector, body, plan, programme or meeting

Goals, challenges, recommendations, priorities, aspirations, trends … each in the seed's words
(``text_id``) with an English rendering, its subject (``subject_type``: the reference file's name,
``subject_id``: the record's id) and its sources, loaded from ``reference/data/statements.yaml``.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-08 00:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "statements",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("subject_type", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.String(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text_id", sa.Text(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=True),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("corrections", sa.JSON(), nullable=False),
        sa.Column("ref_digest", sa.String(length=64), nullable=True),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statements")),
    )
    op.create_index(op.f("ix_statements_subject_id"), "statements", ["subject_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_statements_subject_id"), table_name="statements")
    op.drop_table("statements")
