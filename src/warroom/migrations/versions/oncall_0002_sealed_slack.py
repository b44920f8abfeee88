"""Slack contact methods keep their webhook URL sealed

Revision ID: oncall_0002
Revises: oncall_0001
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from alembic import op

if TYPE_CHECKING:
    from collections.abc import Sequence

revision: str = 'oncall_0002'
down_revision: str | Sequence[str] | None = 'oncall_0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_methods = sa.table('oncall_contact_methods', sa.column('id', sa.Integer()),
                    sa.column('kind', sa.String()), sa.column('address', sa.String()),
                    sa.column('address_sealed', sa.Text()))


def upgrade() -> None:
    with op.batch_alter_table('oncall_contact_methods') as batch:
        batch.add_column(sa.Column('address_sealed', sa.Text(), nullable=True))
    _seal_existing()


def downgrade() -> None:
    from warroom import sealing

    bind = op.get_bind()
    for row in bind.execute(sa.select(_methods.c.id, _methods.c.address_sealed)
                            .where(_methods.c.address_sealed.is_not(None))).all():
        bind.execute(_methods.update().where(_methods.c.id == row.id).values(
            address=sealing.unseal(row.address_sealed)))
    with op.batch_alter_table('oncall_contact_methods') as batch:
        batch.drop_column('address_sealed')


def _seal_existing() -> None:
    """Slack methods saved before this revision hold the URL in clear."""
    from warroom import outbound, sealing

    bind = op.get_bind()
    for row in bind.execute(sa.select(_methods.c.id, _methods.c.address)
                            .where(_methods.c.kind == 'slack',
                                   _methods.c.address_sealed.is_(None))).all():
        bind.execute(_methods.update().where(_methods.c.id == row.id).values(
            address=outbound.sealed_label(row.address),
            address_sealed=sealing.seal(row.address)))
