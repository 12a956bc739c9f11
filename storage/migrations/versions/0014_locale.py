"""locale: the language each person is spoken to in, and whether they chose it themselves

Revision ID: 0014_locale
Revises: 0001_foundation
Create Date: 2026-12-02 01:00:00.000000
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0014_locale'
down_revision: str | Sequence[str] | None = '0001_foundation'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN, not a batch: on SQLite a batch rebuilds `person`, and dropping the old table
    # fails its foreign keys as soon as any share, nudge or reply points at a person.
    op.add_column('person', sa.Column('locale', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
    op.add_column('person', sa.Column('locale_overridden', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    op.drop_column('person', 'locale_overridden')
    op.drop_column('person', 'locale')
