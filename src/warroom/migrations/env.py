"""Alembic environment: one migration branch per domain, all applied with
``upgrade heads`` (``warroom migrate``)."""

from __future__ import annotations

from alembic import context

from warroom import registry  # noqa: F401  (importing it loads every domain's tables)
from warroom.db import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes["engine"]
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=connection.dialect.name == "sqlite",
                          compare_type=True)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
