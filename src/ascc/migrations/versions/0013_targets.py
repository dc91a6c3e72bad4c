"""targets: baseline and target value per indicator, regional or per member state

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=200), nullable=False),
        sa.Column("indicator_code", sa.String(length=60), nullable=False),
        sa.Column("member_state", sa.String(length=3), nullable=True),
        sa.Column("plan_id", sa.String(length=80), nullable=True),
        sa.Column("sector", sa.String(length=64), nullable=True),
        sa.Column("baseline_year", sa.Integer(), nullable=True),
        sa.Column("baseline_value", sa.Float(), nullable=True),
        sa.Column("target_year", sa.Integer(), nullable=False),
        sa.Column("target_value", sa.Float(), nullable=False),
        sa.Column("source", sa.String(length=1000), nullable=False),
        sa.Column("quote", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["indicator_code"], ["indicators.code"], name=op.f("fk_targets_indicator_code_indicators")
        ),
        sa.ForeignKeyConstraint(
            ["member_state"], ["member_states.code"], name=op.f("fk_targets_member_state_member_states")
        ),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], name=op.f("fk_targets_plan_id_plans")),
        sa.ForeignKeyConstraint(["sector"], ["sectors.id"], name=op.f("fk_targets_sector_sectors")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_targets")),
        sa.UniqueConstraint("scope", name=op.f("uq_targets_scope")),
    )
    with op.batch_alter_table("targets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_targets_indicator_code"), ["indicator_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_targets_member_state"), ["member_state"], unique=False)
        batch_op.create_index(batch_op.f("ix_targets_plan_id"), ["plan_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("targets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_targets_plan_id"))
        batch_op.drop_index(batch_op.f("ix_targets_member_state"))
        batch_op.drop_index(batch_op.f("ix_targets_indicator_code"))
    op.drop_table("targets")
