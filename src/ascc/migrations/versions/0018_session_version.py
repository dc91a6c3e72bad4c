"""users.session_version: the version of a user's sessions, kept in the signed cookie

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 11:00:00

A session cookie carries the version its user had when it was issued; a request whose cookie
carries another version is the public's. Signing out, a password change and deactivation bump the
version, so they end the user's sessions on every device at once.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_version", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_version")
