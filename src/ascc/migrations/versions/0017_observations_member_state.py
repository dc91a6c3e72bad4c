"""observations: no index of their own on member_state; the unique key serves those reads

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 16:00:00

Reads of one member state's observations name every indicator as well
(``ascc.monitoring.models.of_member_states``), so they are looked up in the unique key
(indicator_code, member_state, …) one indicator at a time instead of in an index of their own. A
bulk import no longer rebuilds that index (a sort of every row of the table). The data is untouched;
the downgrade builds the index again.
"""

from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_observations_member_state", table_name="observations")


def downgrade() -> None:
    op.create_index("ix_observations_member_state", "observations", ["member_state"], unique=False)
