"""outbox: share posts, answers and digests claimed before they are sent

Revision ID: 0007_outbox
Revises: 0005_scheduling
Create Date: 2026-12-01 21:30:00.000000
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = '0007_outbox'
down_revision: str | Sequence[str] | None = '0005_scheduling'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('outbox_post',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('target', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('is_dm', sa.Boolean(), nullable=False),
    sa.Column('thread_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('message', sa.JSON(), nullable=False),
    sa.Column('extra', sa.JSON(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('claim_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('claimed_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('sent_channel_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('sent_message_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('workspace_id', 'key', name='uq_outbox_post_key')
    )
    op.create_index('ix_outbox_post_state', 'outbox_post', ['state', 'claimed_at'], unique=False)
    op.create_index(op.f('ix_outbox_post_person_id'), 'outbox_post', ['person_id'], unique=False)
    op.create_index(op.f('ix_outbox_post_workspace_id'), 'outbox_post', ['workspace_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_outbox_post_workspace_id'), table_name='outbox_post')
    op.drop_index(op.f('ix_outbox_post_person_id'), table_name='outbox_post')
    op.drop_index('ix_outbox_post_state', table_name='outbox_post')
    op.drop_table('outbox_post')
