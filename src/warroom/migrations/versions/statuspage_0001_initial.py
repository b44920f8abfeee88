"""statuspage tables: components, status history, public incidents and
maintenance, updates, subscribers, the page row

Revision ID: statuspage_0001
Revises: 
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

import sqlalchemy as sa
from alembic import op

import warroom.db
from warroom import clock

if TYPE_CHECKING:
    from collections.abc import Sequence

revision: str = 'statuspage_0001'
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ('statuspage',)
depends_on: str | Sequence[str] | None = 'core_0001'


def upgrade() -> None:
    op.create_table('statuspage_components',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('group_name', sa.String(length=100), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('showcase', sa.Boolean(), nullable=False),
    sa.Column('only_show_if_degraded', sa.Boolean(), nullable=False),
    sa.Column('created_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statuspage_components')),
    sa.UniqueConstraint('code', name=op.f('uq_statuspage_components_code')),
    sa.UniqueConstraint('name', name=op.f('uq_statuspage_components_name'))
    )
    op.create_table('statuspage_subscribers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('destination', sa.String(length=500), nullable=False),
    sa.Column('secret_sealed', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('unsubscribed_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statuspage_subscribers')),
    sa.UniqueConstraint('code', name=op.f('uq_statuspage_subscribers_code')),
    sa.UniqueConstraint('kind', 'destination', name=op.f('uq_statuspage_subscribers_kind'))
    )
    op.create_index(op.f('ix_statuspage_subscribers_status'), 'statuspage_subscribers', ['status'], unique=False)

    op.create_table('statuspage_incidents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('impact', sa.String(length=20), nullable=False),
    sa.Column('impact_override', sa.String(length=20), nullable=True),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('internal_incident_id', sa.Integer(), nullable=True),
    sa.Column('created_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('monitoring_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('scheduled_for', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('scheduled_until', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('verify_until', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('verify_minutes', sa.Integer(), nullable=True),
    sa.Column('auto_transition', sa.Boolean(), nullable=False),
    sa.Column('restore', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['internal_incident_id'], ['incidents.id'], name=op.f('fk_statuspage_incidents_internal_incident_id_incidents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statuspage_incidents')),
    sa.UniqueConstraint('code', name=op.f('uq_statuspage_incidents_code'))
    )
    op.create_index(op.f('ix_statuspage_incidents_internal_incident_id'), 'statuspage_incidents', ['internal_incident_id'], unique=False)
    op.create_index('ix_statuspage_incidents_kind_status', 'statuspage_incidents', ['kind', 'status'], unique=False)

    op.create_table('statuspage_status_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('component_id', sa.Integer(), nullable=False),
    sa.Column('at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('old_status', sa.String(length=30), nullable=True),
    sa.Column('new_status', sa.String(length=30), nullable=False),
    sa.Column('cause', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['component_id'], ['statuspage_components.id'], name=op.f('fk_statuspage_status_changes_component_id_statuspage_components')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statuspage_status_changes'))
    )
    op.create_index('ix_statuspage_status_changes_component_at', 'statuspage_status_changes', ['component_id', 'at'], unique=False)

    op.create_table('statuspage_incident_components',
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('component_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['component_id'], ['statuspage_components.id'], name=op.f('fk_statuspage_incident_components_component_id_statuspage_components')),
    sa.ForeignKeyConstraint(['incident_id'], ['statuspage_incidents.id'], name=op.f('fk_statuspage_incident_components_incident_id_statuspage_incidents')),
    sa.PrimaryKeyConstraint('incident_id', 'component_id', name=op.f('pk_statuspage_incident_components'))
    )
    op.create_index(op.f('ix_statuspage_incident_components_component_id'), 'statuspage_incident_components', ['component_id'], unique=False)

    op.create_table('statuspage_incident_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('affected_components', sa.JSON(), nullable=True),
    sa.Column('deliver_notifications', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['statuspage_incidents.id'], name=op.f('fk_statuspage_incident_updates_incident_id_statuspage_incidents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statuspage_incident_updates')),
    sa.UniqueConstraint('code', name=op.f('uq_statuspage_incident_updates_code'))
    )
    op.create_index('ix_statuspage_incident_updates_incident', 'statuspage_incident_updates', ['incident_id', 'id'], unique=False)

    state = op.create_table('statuspage_state',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('page_code', sa.String(length=12), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('defaults_loaded', sa.Boolean(), nullable=False),
    sa.Column('maintenance_mode_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['maintenance_mode_id'], ['statuspage_incidents.id'], name=op.f('fk_statuspage_state_maintenance_mode_id_statuspage_incidents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statuspage_state'))
    )
    # The page's one row exists from the start, so no process ever races to create it.
    op.bulk_insert(state, [{'id': 1, 'page_code': _page_code(), 'version': 0,
                            'updated_at': clock.now(), 'defaults_loaded': False,
                            'maintenance_mode_id': None}])


def downgrade() -> None:
    op.drop_table('statuspage_state')
    op.drop_index('ix_statuspage_incident_updates_incident', table_name='statuspage_incident_updates')
    op.drop_table('statuspage_incident_updates')
    op.drop_index(op.f('ix_statuspage_incident_components_component_id'), table_name='statuspage_incident_components')
    op.drop_table('statuspage_incident_components')
    op.drop_index('ix_statuspage_status_changes_component_at', table_name='statuspage_status_changes')
    op.drop_table('statuspage_status_changes')
    op.drop_index('ix_statuspage_incidents_kind_status', table_name='statuspage_incidents')
    op.drop_index(op.f('ix_statuspage_incidents_internal_incident_id'), table_name='statuspage_incidents')
    op.drop_table('statuspage_incidents')
    op.drop_index(op.f('ix_statuspage_subscribers_status'), table_name='statuspage_subscribers')
    op.drop_table('statuspage_subscribers')
    op.drop_table('statuspage_components')


def _page_code() -> str:
    alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789'
    return ''.join(secrets.choice(alphabet) for _ in range(12))
