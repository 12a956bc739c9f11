"""raised: system barriers a leader raised with HR from a digest (theme, team, campaign, week)

Revision ID: 0013_raised
Revises: 0001_foundation
Create Date: 2026-12-02 01:00:00.000000
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = '0013_raised'
down_revision: str | Sequence[str] | None = '0001_foundation'
branch_labels: str | Sequence[str] | None = ('raised',)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('raised_barrier',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('share_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('campaign_id', sa.Integer(), nullable=True),
    sa.Column('week', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('theme', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('raised_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['share_id'], ['share.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('share_id', 'theme')
    )
    op.create_index(op.f('ix_raised_barrier_workspace_id'), 'raised_barrier', ['workspace_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_raised_barrier_workspace_id'), table_name='raised_barrier')
    op.drop_table('raised_barrier')
