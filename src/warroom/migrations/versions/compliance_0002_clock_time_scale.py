"""breach clocks: time_scale (a drill's clocks run as fast as the drill)

Revision ID: compliance_0002
Revises: compliance_0001
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from alembic import op

if TYPE_CHECKING:
    from collections.abc import Sequence

revision: str = 'compliance_0002'
down_revision: str | Sequence[str] | None = 'compliance_0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('breach_clocks') as batch:
        batch.add_column(sa.Column('time_scale', sa.Double(), server_default='1',
                                   nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('breach_clocks') as batch:
        batch.drop_column('time_scale')
