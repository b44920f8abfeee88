"""The PostgreSQL connection budget, checked when a process starts.

Every warroom process holds a pool of ``WARROOM_DB_POOL_SIZE`` connections
that may grow by :data:`warroom.db.MAX_OVERFLOW` under a burst; a process
that runs the background worker holds one more, the ``LISTEN`` connection.
When the processes together can ask for more connections than the server
accepts (``max_connections`` less the slots kept for superusers), the
server refuses the next connection at the worst moment: during a storm,
when every pool grows at once. So a process that starts:

* refuses to start when the connections its pools keep open in the steady
  state (``pool size * processes``, plus the ``LISTEN`` connection) already
  exceed what the server accepts: it could never run as configured;
* warns when its pools at their peak (``(pool size + overflow) * processes``
  plus ``LISTEN``), added to the connections already open on the server
  (other warroom processes, other applications), can exceed it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import structlog
from sqlalchemy import text

from warroom.db import MAX_OVERFLOW
from warroom.errors import Invalid

if TYPE_CHECKING:
    from warroom.db import Database

log = structlog.get_logger("warroom.budget")


@dataclass(frozen=True)
class Budget:
    """What this start-up may use, against what the server accepts."""

    processes: int
    pool_size: int
    listen: int
    server_limit: int
    """``max_connections`` less ``superuser_reserved_connections`` (and, on
    PostgreSQL 16 and later, ``reserved_connections``)."""
    in_use: int
    """Client connections open on the server now, other than the check's own."""

    @property
    def steady(self) -> int:
        return self.processes * self.pool_size + self.listen

    @property
    def peak(self) -> int:
        return self.processes * (self.pool_size + MAX_OVERFLOW) + self.listen

    @property
    def sentence(self) -> str:
        return (f"{self.processes} process(es) x (WARROOM_DB_POOL_SIZE {self.pool_size} + "
                f"overflow {MAX_OVERFLOW}) + {self.listen} LISTEN = up to {self.peak} "
                f"connections, with {self.in_use} already open, against the server's "
                f"{self.server_limit} (max_connections less the reserved slots)")


def measure(database: Database, *, processes: int, listen: int) -> Budget | None:
    """The budget for ``processes`` pools (None on SQLite: no server to count;
    None behind PgBouncer, whose own pool limits the server's connections)."""
    if database.is_sqlite or database.pgbouncer:
        return None
    with database.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT name, setting FROM pg_settings WHERE name IN "
            "('max_connections', 'superuser_reserved_connections', 'reserved_connections')"))
        settings = {str(name): str(value) for name, value in rows}
        in_use = conn.scalar(text(
            "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' "
            "AND pid <> pg_backend_pid()")) or 0
    reserved = sum(int(settings.get(name, "0")) for name in
                   ("superuser_reserved_connections", "reserved_connections"))
    pool_size = database.engine.pool.size()  # type: ignore[attr-defined]
    return Budget(processes=processes, pool_size=pool_size, listen=listen,
                  server_limit=int(settings["max_connections"]) - reserved, in_use=in_use)


def check(database: Database, *, processes: int, listen: int) -> Budget | None:
    """Refuse (:class:`Invalid`) or warn as the module says; returns the budget."""
    budget = measure(database, processes=processes, listen=listen)
    if budget is None:
        return None
    if budget.steady > budget.server_limit:
        raise Invalid(f"Not starting: {budget.processes} process(es) x WARROOM_DB_POOL_SIZE "
                      f"{budget.pool_size} + {budget.listen} LISTEN = {budget.steady} "
                      f"connections kept open, more than the {budget.server_limit} the "
                      "PostgreSQL server accepts: lower WARROOM_DB_POOL_SIZE or the number "
                      "of processes, raise max_connections, or put PgBouncer in front "
                      "(docs/deployment.md, connection budget).")
    if budget.peak + budget.in_use > budget.server_limit:
        log.warning("connection budget can exceed the server's max_connections: "
                    f"{budget.sentence}; lower WARROOM_DB_POOL_SIZE, raise max_connections "
                    "or use PgBouncer", peak=budget.peak, in_use=budget.in_use,
                    server_limit=budget.server_limit)
    return budget
