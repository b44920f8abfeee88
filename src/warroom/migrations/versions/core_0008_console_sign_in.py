"""console sign-in: password hashes, bound OpenID identities, server-side
sessions and failed sign-ins for the rate limit

Revision ID: core_0008
Revises: core_0007
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from alembic import op

import warroom.db

if TYPE_CHECKING:
    from collections.abc import Sequence

revision: str = 'core_0008'
down_revision: str | Sequence[str] | None = 'core_0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN and a unique index, not a batch table copy: on SQLite a
    # copy of ``users`` drops the table other tables' rows point at.
    op.add_column('users', sa.Column('password_hash', sa.String(length=255), nullable=True))
    op.add_column('users', sa.Column('oidc_subject', sa.String(length=512), nullable=True))
    op.create_index('ix_users_oidc_subject', 'users', ['oidc_subject'], unique=True)
    op.create_table(
        'user_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('secret_hash', sa.String(length=64), nullable=False),
        sa.Column('method', sa.String(length=20), nullable=False),
        sa.Column('address', sa.String(length=64), nullable=True),
        sa.Column('created_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('last_seen_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', warroom.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('ended_at', warroom.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('end_reason', sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('secret_hash'),
    )
    op.create_index('ix_user_sessions_user_id', 'user_sessions', ['user_id'])
    op.create_table(
        'sign_in_failures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('address', sa.String(length=64), nullable=True),
        sa.Column('at', warroom.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_sign_in_failures_username', 'sign_in_failures', ['username'])
    op.create_index('ix_sign_in_failures_address', 'sign_in_failures', ['address'])
    op.create_index('ix_sign_in_failures_at', 'sign_in_failures', ['at'])


def downgrade() -> None:
    op.drop_table('sign_in_failures')
    op.drop_table('user_sessions')
    op.drop_index('ix_users_oidc_subject', table_name='users')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('oidc_subject')
        batch.drop_column('password_hash')
