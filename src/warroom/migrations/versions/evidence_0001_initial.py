"""evidence tables: items and their custody events

Revision ID: evidence_0001
Revises:
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from alembic import op

import warroom.db

if TYPE_CHECKING:
    from collections.abc import Sequence

revision: str = 'evidence_0001'
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ('evidence',)
depends_on: str | Sequence[str] | None = 'core_0001'


def upgrade() -> None:
    op.create_table('evidence_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('source_host', sa.String(length=300), nullable=True),
    sa.Column('source_locator', sa.String(length=2000), nullable=True),
    sa.Column('method_tool', sa.String(length=200), nullable=True),
    sa.Column('method_version', sa.String(length=200), nullable=True),
    sa.Column('method_argv', sa.JSON(), nullable=True),
    sa.Column('collection', sa.JSON(), nullable=True),
    sa.Column('collected_by', sa.String(length=200), nullable=True),
    sa.Column('collected_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('collected_tz', sa.String(length=64), nullable=True),
    sa.Column('registered_by', sa.String(length=200), nullable=False),
    sa.Column('registered_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('original_filename', sa.String(length=500), nullable=True),
    sa.Column('size', sa.BigInteger(), nullable=True),
    sa.Column('media_type_sniffed', sa.String(length=200), nullable=True),
    sa.Column('media_type_declared', sa.String(length=200), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('sha1', sa.String(length=40), nullable=True),
    sa.Column('md5', sa.String(length=32), nullable=True),
    sa.Column('tlp', sa.String(length=20), nullable=False),
    sa.Column('personal_data', sa.Boolean(), nullable=False),
    sa.Column('derived_from_id', sa.Integer(), nullable=True),
    sa.Column('produced_by_step', sa.String(length=300), nullable=True),
    sa.Column('produced_by_event_id', sa.Integer(), nullable=True),
    sa.Column('custodian', sa.String(length=200), nullable=False),
    sa.Column('location', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('legal_hold', sa.Boolean(), nullable=False),
    sa.Column('retention_until', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sealed_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('destroy_requested_by', sa.String(length=200), nullable=True),
    sa.Column('next_rehash_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('custody_seq', sa.Integer(), nullable=False),
    sa.Column('custody_head', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['derived_from_id'], ['evidence_items.id'], name=op.f('fk_evidence_items_derived_from_id_evidence_items')),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_evidence_items_incident_id_incidents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_items'))
    )
    with op.batch_alter_table('evidence_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_items_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_items_next_rehash_at'), ['next_rehash_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_items_sha256'), ['sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_items_status'), ['status'], unique=False)

    op.create_table('evidence_custody',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('counterparty', sa.String(length=200), nullable=True),
    sa.Column('purpose', sa.String(length=1000), nullable=False),
    sa.Column('location', sa.String(length=500), nullable=True),
    sa.Column('address', sa.String(length=64), nullable=True),
    sa.Column('at', warroom.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('tz', sa.String(length=64), nullable=False),
    sa.Column('hash_observed', sa.String(length=64), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['evidence_items.id'], name=op.f('fk_evidence_custody_item_id_evidence_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_custody')),
    sa.UniqueConstraint('item_id', 'seq', name=op.f('uq_evidence_custody_item_id'))
    )
    with op.batch_alter_table('evidence_custody', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_custody_item_id'), ['item_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('evidence_custody', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_custody_item_id'))

    op.drop_table('evidence_custody')
    with op.batch_alter_table('evidence_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_items_status'))
        batch_op.drop_index(batch_op.f('ix_evidence_items_sha256'))
        batch_op.drop_index(batch_op.f('ix_evidence_items_next_rehash_at'))
        batch_op.drop_index(batch_op.f('ix_evidence_items_incident_id'))

    op.drop_table('evidence_items')
