"""comms tables: sent messages and update cadence

Revision ID: comms_0001
Revises:
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from alembic import op

import warroom.db

if TYPE_CHECKING:
    from collections.abc import Sequence

revision: str = 'comms_0001'
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ('comms',)
depends_on: str | Sequence[str] | None = 'core_0001'


def upgrade() -> None:
    op.create_table('comms_cadence',
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('last_update_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('next_due_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reminders', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_comms_cadence_incident_id_incidents')),
    sa.PrimaryKeyConstraint('incident_id', name=op.f('pk_comms_cadence'))
    )
    op.create_index(op.f('ix_comms_cadence_next_due_at'), 'comms_cadence', ['next_due_at'], unique=False)

    op.create_table('comms_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('template', sa.String(length=40), nullable=False),
    sa.Column('update_number', sa.Integer(), nullable=True),
    sa.Column('subject', sa.String(length=500), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('recipients', sa.JSON(), nullable=False),
    sa.Column('counts_as_update', sa.Boolean(), nullable=False),
    sa.Column('sent_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_comms_messages_incident_id_incidents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comms_messages')),
    sa.UniqueConstraint('incident_id', 'update_number', name=op.f('uq_comms_messages_incident_id'))
    )
    op.create_index(op.f('ix_comms_messages_incident_id'), 'comms_messages', ['incident_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_comms_messages_incident_id'), table_name='comms_messages')
    op.drop_table('comms_messages')
    op.drop_index(op.f('ix_comms_cadence_next_due_at'), table_name='comms_cadence')
    op.drop_table('comms_cadence')
