"""funds: fund calls, proposals, eligibility, scores, conflicts of interest, progress reports

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-08 00:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(precision=20, scale=2)
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "funds",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("owner_body", sa.String(length=80), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=False),
        sa.Column("name_id", sa.String(length=300), nullable=True),
        sa.Column("rules_en", sa.Text(), nullable=True),
        sa.Column("rules_id", sa.Text(), nullable=True),
        sa.Column("budget", MONEY, nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["id"], ["bodies.id"], name=op.f("fk_funds_id_bodies")),
        sa.ForeignKeyConstraint(["owner_body"], ["bodies.id"], name=op.f("fk_funds_owner_body_bodies")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_funds")),
    )
    op.create_index(op.f("ix_funds_owner_body"), "funds", ["owner_body"])
    op.create_table(
        "fund_calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.String(length=80), nullable=False),
        sa.Column("title_en", sa.String(length=300), nullable=False),
        sa.Column("title_id", sa.String(length=300), nullable=True),
        sa.Column("themes", sa.JSON(), nullable=False),
        sa.Column("eligibility", sa.Text(), nullable=True),
        sa.Column("ceiling", MONEY, nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("deadline", WHEN, nullable=False),
        sa.Column("required_documents", sa.JSON(), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("opened_by", sa.String(length=200), nullable=False),
        sa.Column("opened_at", WHEN, nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["fund_id"], ["funds.id"], name=op.f("fk_fund_calls_fund_id_funds")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_calls")),
    )
    op.create_index(op.f("ix_fund_calls_fund_id"), "fund_calls", ["fund_id"])
    op.create_table(
        "fund_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("member_state", sa.String(length=3), nullable=False),
        sa.Column("title_en", sa.String(length=300), nullable=False),
        sa.Column("title_id", sa.String(length=300), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("requested", MONEY, nullable=False),
        sa.Column("budget_lines", sa.JSON(), nullable=False),
        sa.Column("partners", sa.JSON(), nullable=False),
        sa.Column("outcomes", sa.JSON(), nullable=False),
        sa.Column("references", sa.JSON(), nullable=False),
        sa.Column("submitted_by", sa.String(length=200), nullable=False),
        sa.Column("submitted_at", WHEN, nullable=False),
        sa.Column("eligible", sa.Boolean(), nullable=True),
        sa.Column("eligibility_reason", sa.Text(), nullable=True),
        sa.Column("eligibility_by", sa.String(length=200), nullable=True),
        sa.Column("recommendation", sa.String(length=20), nullable=True),
        sa.Column("recommended_amount", MONEY, nullable=True),
        sa.Column("recommendation_text", sa.Text(), nullable=True),
        sa.Column("decision_item_id", sa.Integer(), nullable=True),
        sa.Column("activity_id", sa.Integer(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("closure_text", sa.Text(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["fund_calls.id"], name=op.f("fk_fund_proposals_call_id_fund_calls")
        ),
        sa.ForeignKeyConstraint(
            ["member_state"],
            ["member_states.code"],
            name=op.f("fk_fund_proposals_member_state_member_states"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_proposals")),
    )
    op.create_index(op.f("ix_fund_proposals_call_id"), "fund_proposals", ["call_id"])
    op.create_index(op.f("ix_fund_proposals_member_state"), "fund_proposals", ["member_state"])
    op.create_table(
        "fund_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("reviewer", sa.String(length=200), nullable=False),
        sa.Column("criterion", sa.String(length=40), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["fund_proposals.id"],
            ondelete="CASCADE",
            name=op.f("fk_fund_scores_proposal_id_fund_proposals"),
        ),
        sa.ForeignKeyConstraint(["reviewer_id"], ["users.id"], name=op.f("fk_fund_scores_reviewer_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_scores")),
        sa.UniqueConstraint(
            "proposal_id", "reviewer_id", "criterion", name=op.f("uq_fund_scores_proposal_id")
        ),
    )
    op.create_index(op.f("ix_fund_scores_proposal_id"), "fund_scores", ["proposal_id"])
    op.create_table(
        "fund_conflicts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("reviewer", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["fund_proposals.id"],
            ondelete="CASCADE",
            name=op.f("fk_fund_conflicts_proposal_id_fund_proposals"),
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["users.id"], name=op.f("fk_fund_conflicts_reviewer_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_conflicts")),
        sa.UniqueConstraint("proposal_id", "reviewer_id", name=op.f("uq_fund_conflicts_proposal_id")),
    )
    op.create_index(op.f("ix_fund_conflicts_proposal_id"), "fund_conflicts", ["proposal_id"])
    op.create_table(
        "fund_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("spent", MONEY, nullable=True),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["fund_proposals.id"],
            ondelete="CASCADE",
            name=op.f("fk_fund_reports_proposal_id_fund_proposals"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_reports")),
    )
    op.create_index(op.f("ix_fund_reports_proposal_id"), "fund_reports", ["proposal_id"])


def downgrade() -> None:
    for table in ("fund_reports", "fund_conflicts", "fund_scores", "fund_proposals", "fund_calls", "funds"):
        op.drop_table(table)
