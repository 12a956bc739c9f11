"""insights_person: a workspace's people and opt-outs of analysis counted from one index

The privacy part of the insights data version (bot/insights/cache.py), read before every console
page, counts a workspace's people and those who opted out of analysis: with this index that is a
scan of the index alone, not of every person row.

Revision ID: 0017_insights_person
Revises: 0010_loop
Create Date: 2026-12-02 05:50:00.000000
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = '0017_insights_person'
down_revision: str | Sequence[str] | None = '0010_loop'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_insights_person_opted_out', 'person', ['workspace_id', 'analysis_opted_out'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_insights_person_opted_out', table_name='person')
