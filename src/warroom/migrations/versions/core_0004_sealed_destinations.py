"""outbox destinations that are credentials (Slack webhook URLs) are sealed

Revision ID: core_0004
Revises: core_0003
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from alembic import op

if TYPE_CHECKING:
    from collections.abc import Sequence

revision: str = 'core_0004'
down_revision: str | Sequence[str] | None = 'core_0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_messages = sa.table('outbox_messages', sa.column('id', sa.Integer()),
                     sa.column('channel', sa.String()), sa.column('destination', sa.String()),
                     sa.column('destination_sealed', sa.Text()))


def upgrade() -> None:
    with op.batch_alter_table('outbox_messages') as batch:
        batch.add_column(sa.Column('destination_sealed', sa.Text(), nullable=True))
    _seal_existing()


def downgrade() -> None:
    from warroom import sealing

    bind = op.get_bind()
    for row in bind.execute(sa.select(_messages.c.id, _messages.c.destination_sealed)
                            .where(_messages.c.destination_sealed.is_not(None))).all():
        bind.execute(_messages.update().where(_messages.c.id == row.id).values(
            destination=sealing.unseal(row.destination_sealed)))
    with op.batch_alter_table('outbox_messages') as batch:
        batch.drop_column('destination_sealed')


def _seal_existing() -> None:
    """Slack messages queued before this revision carry the URL in clear."""
    from warroom import outbound, sealing

    bind = op.get_bind()
    for row in bind.execute(sa.select(_messages.c.id, _messages.c.destination)
                            .where(_messages.c.channel == 'slack',
                                   _messages.c.destination_sealed.is_(None))).all():
        bind.execute(_messages.update().where(_messages.c.id == row.id).values(
            destination=outbound.sealed_label(row.destination),
            destination_sealed=sealing.seal(row.destination)))
