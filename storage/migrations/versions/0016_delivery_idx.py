"""delivery_idx: each workspace's due nudges from an index, and when a profile was last checked

Revision ID: 0016_delivery_idx
Revises: 0005_scheduling
Create Date: 2026-12-02 01:00:00.000000
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = '0016_delivery_idx'
down_revision: str | Sequence[str] | None = '0005_scheduling'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_delivery_nudge_workspace_due', 'nudge', ['workspace_id', 'state', 'due_at'], unique=False)
    op.create_table('profile_check',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('checked_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id')
    )


def downgrade() -> None:
    op.drop_table('profile_check')
    op.drop_index('ix_delivery_nudge_workspace_due', table_name='nudge')
