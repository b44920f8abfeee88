"""reviews tables: reviews, action items, response figures and their facets

Revision ID: reviews_0001
Revises:
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from alembic import op

import warroom.db

if TYPE_CHECKING:
    from collections.abc import Sequence

revision: str = 'reviews_0001'
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ('reviews',)
depends_on: str | Sequence[str] | None = 'core_0001'


def upgrade() -> None:
    op.create_table('review_action_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=True),
    sa.Column('team', sa.String(length=100), nullable=True),
    sa.Column('priority', sa.String(length=10), nullable=False),
    sa.Column('due_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('tracker_url', sa.String(length=2000), nullable=True),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('playbook', sa.String(length=300), nullable=True),
    sa.Column('is_drill', sa.Boolean(), nullable=False),
    sa.Column('created_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('updated_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('next_reminder_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reminders', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_review_action_items_incident_id_incidents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_action_items'))
    )
    op.create_index(op.f('ix_review_action_items_incident_id'), 'review_action_items', ['incident_id'], unique=False)
    op.create_index(op.f('ix_review_action_items_next_reminder_at'), 'review_action_items', ['next_reminder_at'], unique=False)
    op.create_index(op.f('ix_review_action_items_owner'), 'review_action_items', ['owner'], unique=False)
    op.create_index(op.f('ix_review_action_items_playbook'), 'review_action_items', ['playbook'], unique=False)
    op.create_index('ix_review_action_items_status_due', 'review_action_items', ['status', 'due_at'], unique=False)
    op.create_table('review_facets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('facet', sa.String(length=20), nullable=False),
    sa.Column('value', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_review_facets_incident_id_incidents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_facets'))
    )
    op.create_index('ix_review_facets_facet_value', 'review_facets', ['facet', 'value'], unique=False)
    op.create_index('ix_review_facets_incident', 'review_facets', ['incident_id'], unique=False)
    op.create_table('review_figures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('metric', sa.String(length=60), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('met', sa.Boolean(), nullable=True),
    sa.Column('from_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('to_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('type', sa.String(length=40), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('started_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('is_drill', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_review_figures_incident_id_incidents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_figures')),
    sa.UniqueConstraint('incident_id', 'metric', name=op.f('uq_review_figures_incident_id'))
    )
    op.create_index(op.f('ix_review_figures_incident_id'), 'review_figures', ['incident_id'], unique=False)
    op.create_index('ix_review_figures_metric_started', 'review_figures', ['metric', 'started_at'], unique=False)
    op.create_table('reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('sections', sa.JSON(), nullable=False),
    sa.Column('first_notes_due_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.String(length=200), nullable=True),
    sa.Column('waiver_reason', sa.Text(), nullable=True),
    sa.Column('signoffs', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_reviews_incident_id_incidents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviews')),
    sa.UniqueConstraint('incident_id', name=op.f('uq_reviews_incident_id'))
    )


def downgrade() -> None:
    op.drop_table('reviews')
    op.drop_index('ix_review_figures_metric_started', table_name='review_figures')
    op.drop_index(op.f('ix_review_figures_incident_id'), table_name='review_figures')
    op.drop_table('review_figures')
    op.drop_index('ix_review_facets_incident', table_name='review_facets')
    op.drop_index('ix_review_facets_facet_value', table_name='review_facets')
    op.drop_table('review_facets')
    op.drop_index('ix_review_action_items_status_due', table_name='review_action_items')
    op.drop_index(op.f('ix_review_action_items_playbook'), table_name='review_action_items')
    op.drop_index(op.f('ix_review_action_items_owner'), table_name='review_action_items')
    op.drop_index(op.f('ix_review_action_items_next_reminder_at'), table_name='review_action_items')
    op.drop_index(op.f('ix_review_action_items_incident_id'), table_name='review_action_items')
    op.drop_table('review_action_items')
