"""playbooks tables: playbook runs, step runs, preparedness checklist

Revision ID: playbooks_0001
Revises:
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from alembic import op

import warroom.db

if TYPE_CHECKING:
    from collections.abc import Sequence

revision: str = 'playbooks_0001'
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ('playbooks',)
depends_on: str | Sequence[str] | None = 'core_0001'


def upgrade() -> None:
    op.create_table('preparedness_owners',
    sa.Column('item', sa.String(length=80), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('changed_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('changed_by', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('item', name=op.f('pk_preparedness_owners'))
    )
    op.create_table('preparedness_verifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item', sa.String(length=80), nullable=False),
    sa.Column('verified_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('verified_by', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_preparedness_verifications'))
    )
    op.create_index(op.f('ix_preparedness_verifications_item'), 'preparedness_verifications', ['item'], unique=False)

    op.create_table('playbook_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('playbook', sa.String(length=80), nullable=False),
    sa.Column('version', sa.String(length=40), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('how', sa.String(length=20), nullable=False),
    sa.Column('anchor_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('attached_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('attached_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_playbook_runs_incident_id_incidents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_playbook_runs')),
    sa.UniqueConstraint('incident_id', 'playbook', name=op.f('uq_playbook_runs_incident_id'))
    )
    op.create_index(op.f('ix_playbook_runs_incident_id'), 'playbook_runs', ['incident_id'], unique=False)

    op.create_table('playbook_step_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('playbook', sa.String(length=80), nullable=False),
    sa.Column('step_id', sa.String(length=80), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('phase', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('role', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('gate', sa.Boolean(), nullable=False),
    sa.Column('destructive', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('after', sa.JSON(), nullable=False),
    sa.Column('due_window', sa.String(length=40), nullable=False),
    sa.Column('due_from', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('due_by', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('run_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('lease_until', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('blocked_reason', sa.String(length=500), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('started_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.JSON(), nullable=True),
    sa.Column('output', sa.Text(), nullable=True),
    sa.Column('done_by', sa.String(length=200), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('requested_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('requested_by', sa.String(length=200), nullable=True),
    sa.Column('approved_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('approved_by', sa.String(length=200), nullable=True),
    sa.Column('reminded_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('overridden_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('overridden_by', sa.String(length=200), nullable=True),
    sa.Column('override_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_playbook_step_runs_incident_id_incidents')),
    sa.ForeignKeyConstraint(['run_id'], ['playbook_runs.id'], name=op.f('fk_playbook_step_runs_run_id_playbook_runs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_playbook_step_runs')),
    sa.UniqueConstraint('run_id', 'step_id', name=op.f('uq_playbook_step_runs_run_id'))
    )
    op.create_index(op.f('ix_playbook_step_runs_due_by'), 'playbook_step_runs', ['due_by'], unique=False)
    op.create_index(op.f('ix_playbook_step_runs_incident_id'), 'playbook_step_runs', ['incident_id'], unique=False)
    op.create_index(op.f('ix_playbook_step_runs_run_at'), 'playbook_step_runs', ['run_at'], unique=False)
    op.create_index(op.f('ix_playbook_step_runs_run_id'), 'playbook_step_runs', ['run_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_playbook_step_runs_run_id'), table_name='playbook_step_runs')
    op.drop_index(op.f('ix_playbook_step_runs_run_at'), table_name='playbook_step_runs')
    op.drop_index(op.f('ix_playbook_step_runs_incident_id'), table_name='playbook_step_runs')
    op.drop_index(op.f('ix_playbook_step_runs_due_by'), table_name='playbook_step_runs')
    op.drop_table('playbook_step_runs')
    op.drop_index(op.f('ix_playbook_runs_incident_id'), table_name='playbook_runs')
    op.drop_table('playbook_runs')
    op.drop_index(op.f('ix_preparedness_verifications_item'), table_name='preparedness_verifications')
    op.drop_table('preparedness_verifications')
    op.drop_table('preparedness_owners')
