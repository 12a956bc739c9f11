"""loop: private notes and their senders, the longest streak shown, analysis opt-out, one draft per form

Revision ID: 0010_loop
Revises: 0007_outbox
Create Date: 2026-12-03 09:00:00.000000
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0010_loop'
down_revision: str | Sequence[str] | None = '0007_outbox'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('private_note',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('workspace_id', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('share_id', sa.Integer(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('themes', sa.JSON(), nullable=False),
    sa.Column('told_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['share_id'], ['share.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_private_note_share_id'), 'private_note', ['share_id'], unique=False)
    op.create_index(op.f('ix_private_note_workspace_id'), 'private_note', ['workspace_id'], unique=False)
    op.create_table('private_note_sender',
    sa.Column('share_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['share_id'], ['share.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('share_id', 'person_id')
    )
    op.create_table('streak_record',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('longest', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id')
    )
    # Plain ADD COLUMN: on SQLite a batch would rebuild `person`, and dropping the old table fails its
    # foreign keys once shares or nudges point at a person (tests/storage/test_migrations_with_data.py).
    op.add_column('person', sa.Column('analysis_opted_out', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('share') as batch:
        batch.add_column(sa.Column('form_token', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True))
    op.create_index('uq_share_form_token', 'share', ['workspace_id', 'form_token'], unique=True)


def downgrade() -> None:
    op.drop_index('uq_share_form_token', table_name='share')
    with op.batch_alter_table('share') as batch:
        batch.drop_column('form_token')
    op.drop_column('person', 'analysis_opted_out')
    op.drop_table('streak_record')
    op.drop_table('private_note_sender')
    op.drop_index(op.f('ix_private_note_workspace_id'), table_name='private_note')
    op.drop_index(op.f('ix_private_note_share_id'), table_name='private_note')
    op.drop_table('private_note')
