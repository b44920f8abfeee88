"""change events: deploys and other changes, shown on the affected incidents

Revision ID: intake_0002
Revises: intake_0001
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from alembic import op

import warroom.db

if TYPE_CHECKING:
    from collections.abc import Sequence

revision: str = 'intake_0002'
down_revision: str | Sequence[str] | None = 'intake_0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'change_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('service', sa.String(length=255), nullable=False),
        sa.Column('integration_id', sa.Integer(), nullable=True),
        sa.Column('summary', sa.String(length=1024), nullable=False),
        sa.Column('happened_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('custom_details', sa.JSON(), nullable=True),
        sa.Column('links', sa.JSON(), nullable=False),
        sa.Column('received_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['integration_id'], ['alert_integrations.id'],
                                name=op.f('fk_change_events_integration_id_alert_integrations')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_change_events')))
    for column in ('service', 'integration_id', 'happened_at'):
        op.create_index(op.f(f'ix_change_events_{column}'), 'change_events', [column],
                        unique=False)


def downgrade() -> None:
    for column in ('service', 'integration_id', 'happened_at'):
        op.drop_index(op.f(f'ix_change_events_{column}'), table_name='change_events')
    op.drop_table('change_events')
