"""pin the role of tokens issued before token roles were pinned

Tokens issued without a role followed their owner's role, so raising the
owner raised every such token. Each one keeps its owner's role as of now.

Revision ID: core_0003
Revises: core_0002
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from alembic import op

if TYPE_CHECKING:
    from collections.abc import Sequence

revision: str = 'core_0003'
down_revision: str | Sequence[str] | None = 'core_0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("UPDATE api_tokens SET role = (SELECT users.role FROM users "
               "WHERE users.id = api_tokens.user_id) WHERE role IS NULL")


def downgrade() -> None:
    """Nothing to undo: a pinned role is also a valid cap."""
