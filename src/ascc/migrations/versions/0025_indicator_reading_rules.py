"""indicators carry their reading rules: coverage for a regional headline, precision, tolerance, best value

``min_coverage``: the share of the member states on a period's date that must report before an
ASEAN-wide figure of that period is a headline (NULL: the default two thirds). ``decimals``: the
precision the values are published with (NULL: read from the values). ``tolerance``: the smallest
change that counts as a change for a progress status (NULL: one unit of the last published
decimal). ``best_value``: the floor (lower is better) or ceiling (higher is better) the indicator
cannot pass, e.g. 100 for a share (NULL: none known).

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 14:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ADD/DROP COLUMN (SQLite 3.35+ has both): a batch copy of ``indicators`` would drop a
    # table that observations and targets refer to
    for column in (
        sa.Column("min_coverage", sa.Float(), nullable=True),
        sa.Column("decimals", sa.Integer(), nullable=True),
        sa.Column("tolerance", sa.Float(), nullable=True),
        sa.Column("best_value", sa.Float(), nullable=True),
    ):
        op.add_column("indicators", column)


def downgrade() -> None:
    for name in ("best_value", "tolerance", "decimals", "min_coverage"):
        op.drop_column("indicators", name)
