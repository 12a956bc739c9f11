"""pauses: rate-limit pauses shared by every replica

Revision ID: 0011_pauses
Revises: 0007_outbox
Create Date: 2026-12-01 22:00:00.000000
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = '0011_pauses'
down_revision: str | Sequence[str] | None = '0007_outbox'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('platform_pause',
    sa.Column('workspace_id', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('until', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('workspace_id', 'key')
    )


def downgrade() -> None:
    op.drop_table('platform_pause')
