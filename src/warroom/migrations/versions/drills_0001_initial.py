"""drills tables: runs, injects, schedules, reminders

Revision ID: drills_0001
Revises:
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from alembic import op

import warroom.db

if TYPE_CHECKING:
    from collections.abc import Sequence

revision: str = 'drills_0001'
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ('drills',)
depends_on: str | Sequence[str] | None = 'core_0001'


def upgrade() -> None:
    op.create_table('drill_reminders',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('sent_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_drill_reminders'))
    )
    op.create_table('drill_schedules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('every', sa.String(length=20), nullable=False),
    sa.Column('scenario', sa.String(length=80), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('team', sa.String(length=100), nullable=False),
    sa.Column('next_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('runs', sa.Integer(), nullable=False),
    sa.Column('created_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_drill_schedules'))
    )
    with op.batch_alter_table('drill_schedules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_drill_schedules_next_at'), ['next_at'], unique=False)

    op.create_table('drills',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scenario', sa.String(length=80), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('mode', sa.String(length=20), nullable=False),
    sa.Column('team', sa.String(length=100), nullable=False),
    sa.Column('facilitator', sa.String(length=200), nullable=False),
    sa.Column('participants', sa.JSON(), nullable=False),
    sa.Column('time_scale', sa.Double(), nullable=False),
    sa.Column('page_real', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=True),
    sa.Column('started_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('scorecard', sa.JSON(), nullable=True),
    sa.Column('sandbox', sa.JSON(), nullable=False),
    sa.Column('debrief', sa.JSON(), nullable=True),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_drills_incident_id_incidents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_drills'))
    )
    with op.batch_alter_table('drills', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_drills_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_drills_scenario'), ['scenario'], unique=False)
        batch_op.create_index(batch_op.f('ix_drills_status'), ['status'], unique=False)

    op.create_table('drill_injects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('drill_id', sa.Integer(), nullable=False),
    sa.Column('inject', sa.String(length=80), nullable=False),
    sa.Column('due_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('fired_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('fired_by', sa.String(length=200), nullable=True),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['drill_id'], ['drills.id'], name=op.f('fk_drill_injects_drill_id_drills')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_drill_injects')),
    sa.UniqueConstraint('drill_id', 'inject', name=op.f('uq_drill_injects_drill_id'))
    )
    with op.batch_alter_table('drill_injects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_drill_injects_drill_id'), ['drill_id'], unique=False)
        batch_op.create_index('ix_drill_injects_due', ['fired_at', 'due_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('drill_injects', schema=None) as batch_op:
        batch_op.drop_index('ix_drill_injects_due')
        batch_op.drop_index(batch_op.f('ix_drill_injects_drill_id'))

    op.drop_table('drill_injects')
    with op.batch_alter_table('drills', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_drills_status'))
        batch_op.drop_index(batch_op.f('ix_drills_scenario'))
        batch_op.drop_index(batch_op.f('ix_drills_incident_id'))

    op.drop_table('drills')
    with op.batch_alter_table('drill_schedules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_drill_schedules_next_at'))

    op.drop_table('drill_schedules')
    op.drop_table('drill_reminders')
