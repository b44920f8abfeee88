"""A second, empty database on the test cluster, for tests that need a target
beside the one the app uses (a restore, a pooler in front of a fresh one)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING

import psycopg
from sqlalchemy.engine import make_url

if TYPE_CHECKING:
    from collections.abc import Iterator


@contextmanager
def scratch_database(database_url: str, suffix: str) -> Iterator[str]:
    """Create ``<database>_<suffix>`` on the cluster of ``database_url``, answer
    its URL, and drop it (forcing out any connection left) afterwards."""
    name = f"{make_url(database_url).database}_{suffix}"
    admin = make_url(database_url).set(drivername="postgresql").render_as_string(
        hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
