"""public incidents: hidden (deleted through the Statuspage manage API, kept
as a record)

Revision ID: statuspage_0003
Revises: statuspage_0002
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from alembic import op

import warroom.db

if TYPE_CHECKING:
    from collections.abc import Sequence

revision: str = 'statuspage_0003'
down_revision: str | Sequence[str] | None = 'statuspage_0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('statuspage_incidents') as batch:
        batch.add_column(sa.Column('hidden_at', warroom.db.UTCDateTime(timezone=True),
                                   nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('statuspage_incidents') as batch:
        batch.drop_column('hidden_at')
