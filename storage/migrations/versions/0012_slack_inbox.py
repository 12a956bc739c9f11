"""slack inbox: the verified body and handling state of every Events API event

Revision ID: 0012_slack_inbox
Revises: 0003_slack
Create Date: 2026-12-01 22:00:00.000000
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = '0012_slack_inbox'
down_revision: str | Sequence[str] | None = '0003_slack'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('slack_seen_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False,
                                      server_default='done'))
        batch_op.add_column(sa.Column('claimed_at', storage.types.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('slack_seen_event', schema=None) as batch_op:
        batch_op.drop_column('claimed_at')
        batch_op.drop_column('state')
        batch_op.drop_column('body')
