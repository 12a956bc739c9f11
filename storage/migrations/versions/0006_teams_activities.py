"""teams: activity ids already handled, so a redelivered activity is handled once by any replica

Revision ID: 0006_teams_activities
Revises: 0004_teams
Create Date: 2026-11-25 09:00:00.000000

It extends the `teams` branch (0004), not 0005: the tables of each edge are a branch of their own
off the foundation, and this one needs nothing from scheduling.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = '0006_teams_activities'
down_revision: str | Sequence[str] | None = '0004_teams'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('teams_seen_activity',
    sa.Column('conversation_id', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('activity_type', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('activity_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('seen_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('conversation_id', 'activity_type', 'activity_id')
    )
    with op.batch_alter_table('teams_seen_activity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_teams_seen_activity_seen_at'), ['seen_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('teams_seen_activity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_teams_seen_activity_seen_at'))

    op.drop_table('teams_seen_activity')
