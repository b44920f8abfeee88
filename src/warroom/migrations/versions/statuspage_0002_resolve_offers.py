"""public incidents: when to remind responders that a notice is still open
although its internal incident is resolved

Revision ID: statuspage_0002
Revises: statuspage_0001
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from alembic import op

import warroom.db

if TYPE_CHECKING:
    from collections.abc import Sequence

revision: str = 'statuspage_0002'
down_revision: str | Sequence[str] | None = 'statuspage_0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('statuspage_incidents') as batch:
        batch.add_column(sa.Column('resolve_offer_due_at',
                                   warroom.db.UTCDateTime(timezone=True), nullable=True))
    op.create_index(op.f('ix_statuspage_incidents_resolve_offer_due_at'),
                    'statuspage_incidents', ['resolve_offer_due_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_statuspage_incidents_resolve_offer_due_at'),
                  table_name='statuspage_incidents')
    with op.batch_alter_table('statuspage_incidents') as batch:
        batch.drop_column('resolve_offer_due_at')
