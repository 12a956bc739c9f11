"""playground: the local playground's message history

Revision ID: 0002_playground
Revises: 0001_foundation
Create Date: 2026-11-24 10:00:00.000000
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types


revision: str = '0002_playground'
down_revision: str | Sequence[str] | None = '0001_foundation'
branch_labels: str | Sequence[str] | None = ('playground',)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('playground_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('conversation', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('thread_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('message_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('author', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('message_id')
    )
    with op.batch_alter_table('playground_message', schema=None) as batch_op:
        batch_op.create_index('ix_playground_message_conversation', ['workspace_id', 'conversation'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('playground_message', schema=None) as batch_op:
        batch_op.drop_index('ix_playground_message_conversation')

    op.drop_table('playground_message')
