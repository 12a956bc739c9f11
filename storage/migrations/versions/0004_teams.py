"""teams: conversation references for proactive messages

Revision ID: 0004_teams
Revises: 0001_foundation
Create Date: 2026-11-23 13:30:00.000000
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types


revision: str = '0004_teams'
down_revision: str | Sequence[str] | None = '0001_foundation'
branch_labels: str | Sequence[str] | None = ('teams',)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('teams_conversation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('conversation_id', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('team_id', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('tz', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('service_url', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('reference', sa.JSON(), nullable=False),
    sa.Column('gone_reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('updated_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('workspace_id', 'conversation_id', name='uq_teams_conversation')
    )
    with op.batch_alter_table('teams_conversation', schema=None) as batch_op:
        batch_op.create_index('ix_teams_conversation_user', ['workspace_id', 'user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('teams_conversation', schema=None) as batch_op:
        batch_op.drop_index('ix_teams_conversation_user')

    op.drop_table('teams_conversation')
