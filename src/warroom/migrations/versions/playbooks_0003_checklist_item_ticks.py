"""playbook step runs: checklist items ticked one by one, with who and when

Revision ID: playbooks_0003
Revises: playbooks_0002
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from alembic import op

if TYPE_CHECKING:
    from collections.abc import Sequence

revision: str = 'playbooks_0003'
down_revision: str | Sequence[str] | None = 'playbooks_0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('playbook_step_runs') as batch:
        batch.add_column(sa.Column('item_ticks', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('playbook_step_runs') as batch:
        batch.drop_column('item_ticks')
