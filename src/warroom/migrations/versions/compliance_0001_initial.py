"""compliance tables: breach register, clocks, submissions

Revision ID: compliance_0001
Revises:
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from alembic import op

import warroom.db

if TYPE_CHECKING:
    from collections.abc import Sequence

revision: str = 'compliance_0001'
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ('compliance',)
depends_on: str | Sequence[str] | None = 'core_0001'


def upgrade() -> None:
    op.create_table('breaches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('state', sa.String(length=30), nullable=False),
    sa.Column('is_drill', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('regimes', sa.JSON(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('other_party', sa.String(length=300), nullable=True),
    sa.Column('other_party_notified_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('aware_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('awareness_basis', sa.Text(), nullable=True),
    sa.Column('decided_by', sa.String(length=200), nullable=True),
    sa.Column('classified_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('nature', sa.JSON(), nullable=False),
    sa.Column('subject_categories', sa.JSON(), nullable=False),
    sa.Column('subjects_min', sa.Integer(), nullable=True),
    sa.Column('subjects_max', sa.Integer(), nullable=True),
    sa.Column('data_categories', sa.JSON(), nullable=False),
    sa.Column('special_categories', sa.JSON(), nullable=False),
    sa.Column('records_min', sa.Integer(), nullable=True),
    sa.Column('records_max', sa.Integer(), nullable=True),
    sa.Column('likely_consequences', sa.Text(), nullable=True),
    sa.Column('measures_taken', sa.Text(), nullable=True),
    sa.Column('measures_proposed', sa.Text(), nullable=True),
    sa.Column('risk', sa.String(length=20), nullable=True),
    sa.Column('risk_rationale', sa.Text(), nullable=True),
    sa.Column('lead_authority', sa.String(length=300), nullable=True),
    sa.Column('competent_authority', sa.String(length=300), nullable=True),
    sa.Column('cross_border', sa.Boolean(), nullable=False),
    sa.Column('art34_exception', sa.String(length=2), nullable=True),
    sa.Column('art34_rationale', sa.Text(), nullable=True),
    sa.Column('reasons_for_delay', sa.Text(), nullable=True),
    sa.Column('dpo_notified_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('dpo_link_nonce', sa.String(length=40), nullable=True),
    sa.Column('dpo_reminded_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('dpo_acknowledged_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('dpo_acknowledged_by', sa.String(length=200), nullable=True),
    sa.Column('opened_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('opened_by', sa.String(length=200), nullable=False),
    sa.Column('updated_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_breaches_incident_id_incidents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_breaches')),
    sa.UniqueConstraint('year', 'number', name=op.f('uq_breaches_year'))
    )
    with op.batch_alter_table('breaches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_breaches_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_breaches_state'), ['state'], unique=False)

    op.create_table('breach_clocks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('breach_id', sa.Integer(), nullable=False),
    sa.Column('regime', sa.String(length=40), nullable=False),
    sa.Column('obligation', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('source', sa.String(length=500), nullable=False),
    sa.Column('rule', sa.String(length=200), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('due_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('next_point_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_point_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reminders', sa.Integer(), nullable=False),
    sa.Column('overdue_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('submitted_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['breach_id'], ['breaches.id'], name=op.f('fk_breach_clocks_breach_id_breaches')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_breach_clocks')),
    sa.UniqueConstraint('breach_id', 'regime', 'kind', name=op.f('uq_breach_clocks_breach_id'))
    )
    with op.batch_alter_table('breach_clocks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_breach_clocks_breach_id'), ['breach_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_breach_clocks_next_point_at'), ['next_point_at'], unique=False)

    op.create_table('breach_contents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('breach_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=300), nullable=False),
    sa.Column('media_type', sa.String(length=100), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('stored_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['breach_id'], ['breaches.id'], name=op.f('fk_breach_contents_breach_id_breaches')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_breach_contents'))
    )
    with op.batch_alter_table('breach_contents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_breach_contents_breach_id'), ['breach_id'], unique=False)

    op.create_table('breach_submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('breach_id', sa.Integer(), nullable=False),
    sa.Column('regime', sa.String(length=40), nullable=False),
    sa.Column('obligation', sa.String(length=20), nullable=False),
    sa.Column('recipient', sa.String(length=300), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('submitted_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('submitted_by', sa.String(length=200), nullable=False),
    sa.Column('reference', sa.String(length=200), nullable=True),
    sa.Column('due_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.Column('reasons_for_delay', sa.Text(), nullable=True),
    sa.Column('is_drill', sa.Boolean(), nullable=False),
    sa.Column('content_id', sa.Integer(), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['breach_id'], ['breaches.id'], name=op.f('fk_breach_submissions_breach_id_breaches')),
    sa.ForeignKeyConstraint(['content_id'], ['breach_contents.id'], name=op.f('fk_breach_submissions_content_id_breach_contents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_breach_submissions'))
    )
    with op.batch_alter_table('breach_submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_breach_submissions_breach_id'), ['breach_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('breach_submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_breach_submissions_breach_id'))

    op.drop_table('breach_submissions')
    with op.batch_alter_table('breach_contents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_breach_contents_breach_id'))

    op.drop_table('breach_contents')
    with op.batch_alter_table('breach_clocks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_breach_clocks_next_point_at'))
        batch_op.drop_index(batch_op.f('ix_breach_clocks_breach_id'))

    op.drop_table('breach_clocks')
    with op.batch_alter_table('breaches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_breaches_state'))
        batch_op.drop_index(batch_op.f('ix_breaches_incident_id'))

    op.drop_table('breaches')
