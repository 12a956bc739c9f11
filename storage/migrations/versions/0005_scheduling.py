"""scheduling: outbox claims, reminders, campaign schedule extras, scheduler leader

Revision ID: 0005_scheduling
Revises: 0001_foundation
Create Date: 2026-11-23 13:40:00.000000
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = '0005_scheduling'
down_revision: str | Sequence[str] | None = '0001_foundation'
branch_labels: str | Sequence[str] | None = ('scheduling',)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('nudge_delivery',
    sa.Column('nudge_id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('claimed_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('not_before', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('local_due', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
    sa.ForeignKeyConstraint(['nudge_id'], ['nudge.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('nudge_id')
    )
    op.create_table('nudge_reminder',
    sa.Column('nudge_id', sa.Integer(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('due_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('platform_message_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.ForeignKeyConstraint(['nudge_id'], ['nudge.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('nudge_id')
    )
    op.create_table('campaign_schedule',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('activated_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('team_channels', sa.JSON(), nullable=False),
    sa.Column('grace_hours', sa.Float(), nullable=True),
    sa.Column('timezone', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('campaign_id')
    )
    op.create_table('scheduler_leader',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('holder', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('since', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )


def downgrade() -> None:
    op.drop_table('scheduler_leader')
    op.drop_table('campaign_schedule')
    op.drop_table('nudge_reminder')
    op.drop_table('nudge_delivery')
