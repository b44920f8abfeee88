"""oncall tables: people's contact methods and rules, teams, schedules,
position bindings, custom policies, escalations, timers, pages, used links

Revision ID: oncall_0001
Revises: 
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from alembic import op

import warroom.db

if TYPE_CHECKING:
    from collections.abc import Sequence

revision: str = 'oncall_0001'
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ('oncall',)
depends_on: str | Sequence[str] | None = 'core_0001'


def upgrade() -> None:
    op.create_table('oncall_policies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('updated_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oncall_policies')),
    sa.UniqueConstraint('name', name=op.f('uq_oncall_policies_name'))
    )
    op.create_table('oncall_position_bindings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('position', sa.String(length=64), nullable=False),
    sa.Column('service', sa.String(length=100), nullable=False),
    sa.Column('targets', sa.JSON(), nullable=False),
    sa.Column('updated_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oncall_position_bindings')),
    sa.UniqueConstraint('position', 'service', name=op.f('uq_oncall_position_bindings_position'))
    )
    op.create_table('oncall_schedules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('time_zone', sa.String(length=64), nullable=False),
    sa.Column('created_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oncall_schedules')),
    sa.UniqueConstraint('name', name=op.f('uq_oncall_schedules_name'))
    )
    op.create_table('oncall_teams',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('created_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oncall_teams')),
    sa.UniqueConstraint('name', name=op.f('uq_oncall_teams_name'))
    )
    op.create_table('oncall_used_links',
    sa.Column('nonce', sa.String(length=40), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('used_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_by', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('nonce', name=op.f('pk_oncall_used_links'))
    )
    op.create_table('oncall_contact_methods',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('address', sa.String(length=1000), nullable=False),
    sa.Column('secret_sealed', sa.Text(), nullable=True),
    sa.Column('created_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_oncall_contact_methods_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oncall_contact_methods')),
    sa.UniqueConstraint('user_id', 'kind', 'address', name=op.f('uq_oncall_contact_methods_user_id'))
    )
    op.create_index(op.f('ix_oncall_contact_methods_user_id'), 'oncall_contact_methods', ['user_id'], unique=False)

    op.create_table('oncall_escalations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('policy_name', sa.String(length=64), nullable=False),
    sa.Column('policy', sa.JSON(), nullable=False),
    sa.Column('chosen_by', sa.String(length=20), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('step_index', sa.Integer(), nullable=False),
    sa.Column('loop', sa.Integer(), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('started_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by', sa.String(length=200), nullable=True),
    sa.Column('ended_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_oncall_escalations_incident_id_incidents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oncall_escalations')),
    sa.UniqueConstraint('incident_id', name=op.f('uq_oncall_escalations_incident_id'))
    )
    op.create_index(op.f('ix_oncall_escalations_state'), 'oncall_escalations', ['state'], unique=False)

    op.create_table('oncall_layers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('schedule_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('rotation', sa.String(length=10), nullable=False),
    sa.Column('shift_hours', sa.Integer(), nullable=False),
    sa.Column('starts_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('active_days', sa.String(length=40), nullable=False),
    sa.Column('active_from', sa.String(length=5), nullable=True),
    sa.Column('active_until', sa.String(length=5), nullable=True),
    sa.Column('created_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['schedule_id'], ['oncall_schedules.id'], name=op.f('fk_oncall_layers_schedule_id_oncall_schedules')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oncall_layers'))
    )
    op.create_index(op.f('ix_oncall_layers_schedule_id'), 'oncall_layers', ['schedule_id'], unique=False)

    op.create_table('oncall_overrides',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('schedule_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('replaces_user_id', sa.Integer(), nullable=True),
    sa.Column('starts_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['replaces_user_id'], ['users.id'], name=op.f('fk_oncall_overrides_replaces_user_id_users')),
    sa.ForeignKeyConstraint(['schedule_id'], ['oncall_schedules.id'], name=op.f('fk_oncall_overrides_schedule_id_oncall_schedules')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_oncall_overrides_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oncall_overrides'))
    )
    op.create_index(op.f('ix_oncall_overrides_schedule_id'), 'oncall_overrides', ['schedule_id'], unique=False)

    op.create_table('oncall_profiles',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('renotify_minutes', sa.Integer(), nullable=True),
    sa.Column('updated_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_oncall_profiles_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_oncall_profiles'))
    )
    op.create_table('oncall_team_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('added_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['oncall_teams.id'], name=op.f('fk_oncall_team_members_team_id_oncall_teams')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_oncall_team_members_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oncall_team_members')),
    sa.UniqueConstraint('team_id', 'user_id', name=op.f('uq_oncall_team_members_team_id'))
    )
    op.create_index(op.f('ix_oncall_team_members_user_id'), 'oncall_team_members', ['user_id'], unique=False)

    op.create_table('oncall_layer_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('layer_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['layer_id'], ['oncall_layers.id'], name=op.f('fk_oncall_layer_members_layer_id_oncall_layers')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_oncall_layer_members_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oncall_layer_members')),
    sa.UniqueConstraint('layer_id', 'position', name=op.f('uq_oncall_layer_members_layer_id'))
    )
    op.create_index(op.f('ix_oncall_layer_members_user_id'), 'oncall_layer_members', ['user_id'], unique=False)

    op.create_table('oncall_notification_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('contact_method_id', sa.Integer(), nullable=False),
    sa.Column('delay_minutes', sa.Integer(), nullable=False),
    sa.Column('created_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contact_method_id'], ['oncall_contact_methods.id'], name=op.f('fk_oncall_notification_rules_contact_method_id_oncall_contact_methods')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_oncall_notification_rules_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oncall_notification_rules')),
    sa.UniqueConstraint('contact_method_id', 'delay_minutes', name=op.f('uq_oncall_notification_rules_contact_method_id'))
    )
    op.create_index(op.f('ix_oncall_notification_rules_user_id'), 'oncall_notification_rules', ['user_id'], unique=False)

    op.create_table('oncall_pages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('escalation_id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('step_index', sa.Integer(), nullable=False),
    sa.Column('loop', sa.Integer(), nullable=False),
    sa.Column('at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['escalation_id'], ['oncall_escalations.id'], name=op.f('fk_oncall_pages_escalation_id_oncall_escalations')),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_oncall_pages_incident_id_incidents')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_oncall_pages_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oncall_pages'))
    )
    op.create_index(op.f('ix_oncall_pages_escalation_id'), 'oncall_pages', ['escalation_id'], unique=False)
    op.create_index(op.f('ix_oncall_pages_incident_id'), 'oncall_pages', ['incident_id'], unique=False)

    op.create_table('oncall_timers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('escalation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('due_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=True),
    sa.Column('fired_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['escalation_id'], ['oncall_escalations.id'], name=op.f('fk_oncall_timers_escalation_id_oncall_escalations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oncall_timers'))
    )
    op.create_index('ix_oncall_timers_due', 'oncall_timers', ['status', 'due_at'], unique=False)
    op.create_index(op.f('ix_oncall_timers_escalation_id'), 'oncall_timers', ['escalation_id'], unique=False)


def downgrade() -> None:
    op.drop_table('oncall_timers')
    op.drop_table('oncall_pages')
    op.drop_table('oncall_notification_rules')
    op.drop_table('oncall_layer_members')
    op.drop_table('oncall_team_members')
    op.drop_table('oncall_profiles')
    op.drop_table('oncall_overrides')
    op.drop_table('oncall_layers')
    op.drop_table('oncall_escalations')
    op.drop_table('oncall_contact_methods')
    op.drop_table('oncall_used_links')
    op.drop_table('oncall_teams')
    op.drop_table('oncall_schedules')
    op.drop_table('oncall_position_bindings')
    op.drop_table('oncall_policies')
