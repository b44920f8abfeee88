"""pagerduty tables: incidents opened through the REST API drop-in

Revision ID: pagerduty_0001
Revises:
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from alembic import op

import warroom.db

if TYPE_CHECKING:
    from collections.abc import Sequence

revision: str = 'pagerduty_0001'
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ('pagerduty',)
depends_on: str | Sequence[str] | None = 'core_0001'


def upgrade() -> None:
    op.create_table('pagerduty_incidents',
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('service', sa.String(length=100), nullable=False),
    sa.Column('incident_key', sa.String(length=255), nullable=False),
    sa.Column('created_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_pagerduty_incidents_incident_id_incidents')),
    sa.PrimaryKeyConstraint('incident_id', name=op.f('pk_pagerduty_incidents'))
    )
    op.create_index('ix_pagerduty_incidents_key', 'pagerduty_incidents', ['service', 'incident_key'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_pagerduty_incidents_key', table_name='pagerduty_incidents')
    op.drop_table('pagerduty_incidents')
