"""playbook step runs: a reminder queue column and a lease index, so the
worker's cycles cost what is due, not what is open

Revision ID: playbooks_0002
Revises: playbooks_0001
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from alembic import op

import warroom.db

if TYPE_CHECKING:
    from collections.abc import Sequence

revision: str = 'playbooks_0002'
down_revision: str | Sequence[str] | None = 'playbooks_0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('playbook_step_runs') as batch:
        batch.add_column(sa.Column('remind_at', warroom.db.UTCDateTime(timezone=True),
                                   nullable=True))
    op.execute("UPDATE playbook_step_runs SET remind_at = due_by WHERE reminded_at IS NULL "
               "AND due_by IS NOT NULL AND status NOT IN ('succeeded', 'skipped')")
    op.create_index(op.f('ix_playbook_step_runs_remind_at'), 'playbook_step_runs',
                    ['remind_at'], unique=False)
    op.create_index(op.f('ix_playbook_step_runs_lease_until'), 'playbook_step_runs',
                    ['lease_until'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_playbook_step_runs_lease_until'), table_name='playbook_step_runs')
    op.drop_index(op.f('ix_playbook_step_runs_remind_at'), table_name='playbook_step_runs')
    with op.batch_alter_table('playbook_step_runs') as batch:
        batch.drop_column('remind_at')
