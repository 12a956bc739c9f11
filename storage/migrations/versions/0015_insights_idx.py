"""insights_idx: a workspace's latest reply edit, nudge send and share post, read from an index

Revision ID: 0015_insights_idx
Revises: 0001_foundation
Create Date: 2026-12-02 01:10:00.000000
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = '0015_insights_idx'
down_revision: str | Sequence[str] | None = '0001_foundation'
branch_labels: str | Sequence[str] | None = ('insights_idx',)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_insights_reply_updated', 'reply', ['workspace_id', 'updated_at'], unique=False)
    op.create_index('ix_insights_nudge_sent', 'nudge', ['workspace_id', 'sent_at'], unique=False)
    op.create_index('ix_insights_share_posted', 'share', ['workspace_id', 'posted_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_insights_share_posted', table_name='share')
    op.drop_index('ix_insights_nudge_sent', table_name='nudge')
    op.drop_index('ix_insights_reply_updated', table_name='reply')
