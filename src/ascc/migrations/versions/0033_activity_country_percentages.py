"""An activity's recorded split over its member states (IATI recipient-country percentages)

``results_activities.country_percentages``: member state code to percentage (a decimal string), null
when no split is recorded. IATI needs it when an activity has several member states; it is never
guessed, so existing rows stay null.

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-08 03:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("results_activities", sa.Column("country_percentages", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("results_activities") as batch:
        batch.drop_column("country_percentages")
