"""monitoring: indicators, subnational areas, observations with revisions, import batches, submissions

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 16:46:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "indicators",
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("name_en", sa.String(length=500), nullable=False),
        sa.Column("name_id", sa.String(length=500), nullable=True),
        sa.Column("definition_en", sa.Text(), nullable=True),
        sa.Column("definition_id", sa.Text(), nullable=True),
        sa.Column("unit", sa.String(length=200), nullable=True),
        sa.Column("direction", sa.String(length=10), nullable=True),
        sa.Column("sector", sa.String(length=64), nullable=True),
        sa.Column("sector_tag", sa.String(length=64), nullable=True),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("frequency", sa.String(length=20), nullable=False),
        sa.Column("disaggregations", sa.JSON(), nullable=False),
        sa.Column("numerator", sa.String(length=60), nullable=True),
        sa.Column("denominator", sa.String(length=60), nullable=True),
        sa.Column("source_org", sa.String(length=500), nullable=True),
        sa.Column("source_dataset", sa.String(length=500), nullable=True),
        sa.Column("source_url", sa.String(length=1000), nullable=True),
        sa.Column("licence", sa.String(length=500), nullable=True),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_indicators")),
    )
    with op.batch_alter_table("indicators", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_indicators_sector"), ["sector"], unique=False)

    op.create_table(
        "observation_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=500), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("format", sa.String(length=20), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("inserted", sa.Integer(), nullable=False),
        sa.Column("revised", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_observation_batches")),
    )
    with op.batch_alter_table("observation_batches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_observation_batches_sha256"), ["sha256"], unique=False)

    op.create_table(
        "monitoring_areas",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("scheme", sa.String(length=20), nullable=False),
        sa.Column("member_state", sa.String(length=3), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("iso_3166_2", sa.String(length=10), nullable=True),
        sa.Column("bps_code", sa.String(length=10), nullable=True),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_state"],
            ["member_states.code"],
            name=op.f("fk_monitoring_areas_member_state_member_states"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_monitoring_areas")),
    )
    with op.batch_alter_table("monitoring_areas", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_monitoring_areas_member_state"), ["member_state"], unique=False)

    op.create_table(
        "observation_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_state", sa.String(length=3), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("submitted_by", sa.String(length=200), nullable=False),
        sa.Column(
            "submitted_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("reviewed_by", sa.String(length=200), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_state"],
            ["member_states.code"],
            name=op.f("fk_observation_submissions_member_state_member_states"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_observation_submissions")),
    )
    with op.batch_alter_table("observation_submissions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_observation_submissions_member_state"), ["member_state"], unique=False
        )

    op.create_table(
        "observations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_code", sa.String(length=60), nullable=False),
        sa.Column("member_state", sa.String(length=3), nullable=False),
        sa.Column("area_code", sa.String(length=40), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("sex", sa.String(length=10), nullable=False),
        sa.Column("age", sa.String(length=20), nullable=False),
        sa.Column("urbanisation", sa.String(length=10), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("obs_status", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("approval", sa.String(length=20), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column(
            "recorded_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["observation_batches.id"],
            name=op.f("fk_observations_batch_id_observation_batches"),
        ),
        sa.ForeignKeyConstraint(
            ["indicator_code"], ["indicators.code"], name=op.f("fk_observations_indicator_code_indicators")
        ),
        sa.ForeignKeyConstraint(
            ["member_state"], ["member_states.code"], name=op.f("fk_observations_member_state_member_states")
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["observation_submissions.id"],
            name=op.f("fk_observations_submission_id_observation_submissions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_observations")),
        sa.UniqueConstraint(
            "indicator_code",
            "member_state",
            "area_code",
            "period",
            "sex",
            "age",
            "urbanisation",
            "revision",
            name=op.f("uq_observations_indicator_code"),
        ),
    )
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_observations_member_state"), ["member_state"], unique=False)
        # partial: most observations are in no submission, and an import would write a million NULLs
        batch_op.create_index(
            batch_op.f("ix_observations_submission_id"),
            ["submission_id"],
            unique=False,
            sqlite_where=sa.text("submission_id IS NOT NULL"),
            postgresql_where=sa.text("submission_id IS NOT NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_observations_submission_id"))
        batch_op.drop_index(batch_op.f("ix_observations_member_state"))

    op.drop_table("observations")
    with op.batch_alter_table("observation_submissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_observation_submissions_member_state"))

    op.drop_table("observation_submissions")
    with op.batch_alter_table("monitoring_areas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_monitoring_areas_member_state"))

    op.drop_table("monitoring_areas")
    with op.batch_alter_table("observation_batches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_observation_batches_sha256"))

    op.drop_table("observation_batches")
    with op.batch_alter_table("indicators", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_indicators_sector"))

    op.drop_table("indicators")
