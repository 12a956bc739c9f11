"""insights: team departments (the parent group small teams pool into) and HR's barrier actions

Revision ID: 0009_insights
Revises: 0001_foundation
Create Date: 2026-12-02 09:00:00.000000
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = '0009_insights'
down_revision: str | Sequence[str] | None = '0001_foundation'
branch_labels: str | Sequence[str] | None = ('insights',)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('insights_team_department',
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('department', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
    sa.PrimaryKeyConstraint('team_id')
    )
    op.create_index(op.f('ix_insights_team_department_workspace_id'), 'insights_team_department', ['workspace_id'],
                    unique=False)
    op.create_table('insights_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('theme', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('owner', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('taken_on', sa.Date(), nullable=False),
    sa.Column('recorded_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_insights_action_workspace_id'), 'insights_action', ['workspace_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_insights_action_workspace_id'), table_name='insights_action')
    op.drop_table('insights_action')
    op.drop_index(op.f('ix_insights_team_department_workspace_id'), table_name='insights_team_department')
    op.drop_table('insights_team_department')
