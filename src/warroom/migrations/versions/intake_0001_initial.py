"""alert intake: alerts, groups, integrations, silences, routing rules, switches

Revision ID: intake_0001
Revises: 
Depends on: core_0001
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from alembic import op

import warroom.db

if TYPE_CHECKING:
    from collections.abc import Sequence

revision: str = 'intake_0001'
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ('intake',)
depends_on: str | Sequence[str] | None = 'core_0001'


def upgrade() -> None:
    op.create_table('alert_integrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=8), nullable=False),
    sa.Column('created_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('revoked_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_integrations')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_alert_integrations_key_hash')),
    sa.UniqueConstraint('name', name=op.f('uq_alert_integrations_name'))
    )
    op.create_table('alert_silences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('matchers', sa.JSON(), nullable=False),
    sa.Column('starts_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('created_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expired_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('lifted_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_silences'))
    )
    op.create_index(op.f('ix_alert_silences_ends_at'), 'alert_silences', ['ends_at'], unique=False)

    intake_state = op.create_table('intake_state',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('monitoring_enabled', sa.Boolean(), nullable=False),
    sa.Column('monitoring_changed_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('monitoring_changed_by', sa.String(length=200), nullable=True),
    sa.Column('rules_generation', sa.Integer(), nullable=False),
    sa.Column('silences_generation', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_intake_state'))
    )
    op.bulk_insert(intake_state, [{'id': 1, 'monitoring_enabled': True, 'rules_generation': 0,
                                   'silences_generation': 0}])

    op.create_table('routing_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('definition', sa.JSON(), nullable=False),
    sa.Column('created_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('updated_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_routing_rules')),
    sa.UniqueConstraint('name', name=op.f('uq_routing_rules_name'))
    )
    op.create_table('alert_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('rule', sa.String(length=100), nullable=False),
    sa.Column('labels', sa.JSON(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=True),
    sa.Column('refires', sa.JSON(), nullable=False),
    sa.Column('flapping_since', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_alert_groups_incident_id_incidents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_groups')),
    sa.UniqueConstraint('key', name=op.f('uq_alert_groups_key'))
    )

    op.create_table('alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dedup_key', sa.String(length=255), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('integration_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('summary', sa.String(length=1024), nullable=False),
    sa.Column('labels', sa.JSON(), nullable=False),
    sa.Column('annotations', sa.JSON(), nullable=False),
    sa.Column('generator_url', sa.String(length=2000), nullable=True),
    sa.Column('rule', sa.String(length=100), nullable=False),
    sa.Column('incident_type', sa.String(length=40), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('incident_id', sa.Integer(), nullable=True),
    sa.Column('held', sa.String(length=20), nullable=True),
    sa.Column('silence_id', sa.Integer(), nullable=True),
    sa.Column('starts_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('first_seen_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('receive_count', sa.Integer(), nullable=False),
    sa.Column('fire_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['alert_groups.id'], name=op.f('fk_alerts_group_id_alert_groups')),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_alerts_incident_id_incidents')),
    sa.ForeignKeyConstraint(['integration_id'], ['alert_integrations.id'], name=op.f('fk_alerts_integration_id_alert_integrations')),
    sa.ForeignKeyConstraint(['silence_id'], ['alert_silences.id'], name=op.f('fk_alerts_silence_id_alert_silences')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts')),
    sa.UniqueConstraint('dedup_key', name=op.f('uq_alerts_dedup_key'))
    )
    op.create_index(op.f('ix_alerts_incident_id'), 'alerts', ['incident_id'], unique=False)
    op.create_index(op.f('ix_alerts_incident_type'), 'alerts', ['incident_type'], unique=False)
    op.create_index('ix_alerts_held', 'alerts', ['held'], unique=False,
                    sqlite_where=sa.text('held IS NOT NULL'),
                    postgresql_where=sa.text('held IS NOT NULL'))

def downgrade() -> None:
    op.drop_table('alerts')
    op.drop_table('alert_groups')
    op.drop_table('routing_rules')
    op.drop_table('intake_state')
    op.drop_table('alert_silences')
    op.drop_table('alert_integrations')
