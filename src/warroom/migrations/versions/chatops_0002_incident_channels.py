"""chatops: incident channels

Revision ID: chatops_0002
Revises: chatops_0001
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from alembic import op

import warroom.db

if TYPE_CHECKING:
    from collections.abc import Sequence

revision: str = 'chatops_0002'
down_revision: str | Sequence[str] | None = 'chatops_0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('chat_channels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider', sa.String(length=20), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('is_private', sa.Boolean(), nullable=False),
    sa.Column('channel', sa.String(length=64), nullable=True),
    sa.Column('outbox_key', sa.String(length=200), nullable=False),
    sa.Column('alerts_told', sa.Integer(), nullable=False),
    sa.Column('alerts_told_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('archived_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_chat_channels_incident_id_incidents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chat_channels')),
    sa.UniqueConstraint('incident_id', name=op.f('uq_chat_channels_incident_id')),
    sa.UniqueConstraint('outbox_key', name=op.f('uq_chat_channels_outbox_key'))
    )


def downgrade() -> None:
    op.drop_table('chat_channels')
