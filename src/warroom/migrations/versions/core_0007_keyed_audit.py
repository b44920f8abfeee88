"""keyed audit entries: a format version per entry and what each one covers

Entries written before this revision keep version 1 (plain sha256) and still
verify; new ones are version 2 (HMAC with a key derived from the instance
secret) and may carry the hashes of the timeline events and incident rows
their unit of work wrote.

Revision ID: core_0007
Revises: core_0006
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from alembic import op

if TYPE_CHECKING:
    from collections.abc import Sequence

revision: str = 'core_0007'
down_revision: str | Sequence[str] | None = 'core_0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('audit_entries') as batch:
        batch.add_column(sa.Column('version', sa.Integer(), server_default='1',
                                   nullable=False))
        batch.add_column(sa.Column('covers', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('audit_entries') as batch:
        batch.drop_column('covers')
        batch.drop_column('version')
