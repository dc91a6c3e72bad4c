"""national plans and programmes of action: measures, alignment to regional framework elements,
national results, and ministries' comments on a draft

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-08 00:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "national_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_state", sa.String(length=3), nullable=False),
        sa.Column("title_en", sa.String(length=400), nullable=True),
        sa.Column("title_id", sa.String(length=400), nullable=True),
        sa.Column("period_start", sa.Integer(), nullable=True),
        sa.Column("period_end", sa.Integer(), nullable=True),
        sa.Column("ministries", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("registry_plan_id", sa.String(length=80), nullable=True),
        sa.Column("regional_plan_id", sa.String(length=80), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("consultation_ministries", sa.JSON(), nullable=False),
        sa.Column("consultation_deadline", sa.Date(), nullable=True),
        sa.Column("adopted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("ref_key", sa.String(length=80), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_state"],
            ["member_states.code"],
            name=op.f("fk_national_plans_member_state_member_states"),
        ),
        sa.ForeignKeyConstraint(
            ["registry_plan_id"], ["plans.id"], name=op.f("fk_national_plans_registry_plan_id_plans")
        ),
        sa.ForeignKeyConstraint(
            ["regional_plan_id"], ["plans.id"], name=op.f("fk_national_plans_regional_plan_id_plans")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_national_plans")),
        sa.UniqueConstraint("ref_key", name=op.f("uq_national_plans_ref_key")),
    )
    op.create_index(op.f("ix_national_plans_member_state"), "national_plans", ["member_state"])
    op.create_table(
        "national_measures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("title_en", sa.Text(), nullable=True),
        sa.Column("title_id", sa.Text(), nullable=True),
        sa.Column("ministry", sa.String(length=200), nullable=True),
        sa.Column("section", sa.String(length=100), nullable=True),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["national_plans.id"],
            name=op.f("fk_national_measures_plan_id_national_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_national_measures")),
        sa.UniqueConstraint("plan_id", "code", name=op.f("uq_national_measures_plan_id")),
    )
    op.create_index(op.f("ix_national_measures_plan_id"), "national_measures", ["plan_id"])
    op.create_table(
        "national_alignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("element_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["measure_id"],
            ["national_measures.id"],
            name=op.f("fk_national_alignments_measure_id_national_measures"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["element_id"],
            ["results_elements.id"],
            name=op.f("fk_national_alignments_element_id_results_elements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_national_alignments")),
        sa.UniqueConstraint("measure_id", "element_id", name=op.f("uq_national_alignments_measure_id")),
    )
    op.create_index(op.f("ix_national_alignments_measure_id"), "national_alignments", ["measure_id"])
    op.create_index(op.f("ix_national_alignments_element_id"), "national_alignments", ["element_id"])
    op.create_table(
        "national_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=True),
        sa.Column("label_en", sa.Text(), nullable=True),
        sa.Column("label_id", sa.Text(), nullable=True),
        sa.Column("value", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("unit", sa.String(length=40), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("target", sa.Numeric(precision=20, scale=4), nullable=True),
        sa.Column("indicator_code", sa.String(length=60), nullable=True),
        sa.Column("source_url", sa.String(length=500), nullable=True),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["national_plans.id"],
            name=op.f("fk_national_results_plan_id_national_plans"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["measure_id"],
            ["national_measures.id"],
            name=op.f("fk_national_results_measure_id_national_measures"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_national_results")),
    )
    op.create_index(op.f("ix_national_results_plan_id"), "national_results", ["plan_id"])
    op.create_index(op.f("ix_national_results_measure_id"), "national_results", ["measure_id"])
    op.create_table(
        "national_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("ministry", sa.String(length=200), nullable=False),
        sa.Column("section", sa.String(length=100), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("handling", sa.String(length=20), nullable=True),
        sa.Column("handling_note", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=300), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["national_plans.id"],
            name=op.f("fk_national_comments_plan_id_national_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_national_comments")),
    )
    op.create_index(op.f("ix_national_comments_plan_id"), "national_comments", ["plan_id"])


def downgrade() -> None:
    for table in (
        "national_comments",
        "national_results",
        "national_alignments",
        "national_measures",
        "national_plans",
    ):
        op.drop_table(table)
