"""Engagement of the brand's answers: likes, replies and reposts read back from the platform.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_COLUMNS = ("engagement_likes", "engagement_replies", "engagement_reposts")


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:  # SQLite alters by copying; batch does it for us
        for name in _COLUMNS:
            batch.add_column(sa.Column(name, sa.Integer, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        for name in _COLUMNS:
            batch.drop_column(name)
