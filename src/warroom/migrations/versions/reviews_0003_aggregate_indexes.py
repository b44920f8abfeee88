"""reviews: covering indexes for the response aggregates, facets carry the
incident's drill flag, start and time to resolve

Revision ID: reviews_0003
Revises: reviews_0002
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from alembic import op

import warroom.db

if TYPE_CHECKING:
    from collections.abc import Sequence

revision: str = 'reviews_0003'
down_revision: str | Sequence[str] | None = 'reviews_0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GROUPS = ('severity', 'type', 'month')


def upgrade() -> None:
    for group in GROUPS:
        op.create_index(f'ix_review_figures_{group}_values', 'review_figures',
                        ['metric', group, 'is_drill', 'value', 'started_at', 'met'], unique=False)
    op.create_index('ix_review_figures_all_values', 'review_figures',
                    ['metric', 'is_drill', 'value', 'started_at', 'met'], unique=False)
    with op.batch_alter_table('review_facets') as table:
        table.add_column(sa.Column('is_drill', sa.Boolean(), nullable=True))
        table.add_column(sa.Column('started_at', warroom.db.UTCDateTime(timezone=True),
                                   nullable=True))
        table.add_column(sa.Column('resolve_seconds', sa.Float(), nullable=True))
    op.execute("UPDATE review_facets SET "
               "is_drill = (SELECT f.is_drill FROM review_figures f WHERE "
               "f.incident_id = review_facets.incident_id AND f.metric = 'response_target'), "
               "started_at = (SELECT f.started_at FROM review_figures f WHERE "
               "f.incident_id = review_facets.incident_id AND f.metric = 'response_target'), "
               "resolve_seconds = (SELECT f.value FROM review_figures f WHERE "
               "f.incident_id = review_facets.incident_id AND f.metric = 'time_to_resolve')")
    op.create_index('ix_review_facets_facet_drill', 'review_facets',
                    ['facet', 'is_drill', 'value', 'started_at', 'resolve_seconds',
                     'incident_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_review_facets_facet_drill', table_name='review_facets')
    with op.batch_alter_table('review_facets') as table:
        table.drop_column('resolve_seconds')
        table.drop_column('started_at')
        table.drop_column('is_drill')
    op.drop_index('ix_review_figures_all_values', table_name='review_figures')
    for group in GROUPS:
        op.drop_index(f'ix_review_figures_{group}_values', table_name='review_figures')
