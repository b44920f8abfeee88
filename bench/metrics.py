"""Response metrics benchmark.

Fills a database with incidents over two years (mixed severities, types,
services and teams; each with its response figures and facets, as the
reviews domain keeps them) and measures, on SQLite and (when
WARROOM_BENCH_PG_URL or WARROOM_TEST_PG_URL names a server) PostgreSQL:

- the response-metrics query by severity and by month (the service behind
  ``GET /api/v1/metrics/response``), p50 and p99 over repeated runs,
- against the baseline measured in the same run: one
  ``SELECT severity, count(*) ... GROUP BY severity`` over the same rows,
- rendering one review export to PDF with its chart.

The incidents and figures are inserted with bulk INSERTs (timeline events
are not: the aggregate reads only the figures and facets), so filling is
fast and what is measured is the aggregation.

    python bench/metrics.py            # 100,000 incidents
    python bench/metrics.py --quick    # 2,000 incidents, 5 runs (about a minute)

The last line printed is one JSON object holding every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from warroom import registry  # noqa: F401  (imports every domain's tables)
from warroom.db import Database, migrate
from warroom.incidents.models import Incident
from warroom.reviews import aggregate, definitions, export
from warroom.reviews.models import Facet, Figure

SEVERITIES = ("sev1", "sev2", "sev3", "sev4")
TYPES = ("service_outage", "performance_degradation", "security_breach", "third_party")
SERVICES = tuple(f"svc-{n}" for n in range(30))
END = datetime(2026, 1, 1, tzinfo=UTC)


def fill(url: str, count: int) -> None:
    database = Database(url)
    migrate(database)
    chosen = random.Random(1)
    names = definitions.names()
    with Session(database.engine) as session:
        for start in range(0, count, 5000):
            rows, figures, facets = [], [], []
            for index in range(start, min(start + 5000, count)):
                started = END - timedelta(minutes=chosen.randint(0, 2 * 365 * 24 * 60))
                severity = chosen.choice(SEVERITIES)
                rows.append({"id": index + 1, "title": "bench", "description": "",
                             "type": chosen.choice(TYPES), "severity": severity,
                             "phase": "closed", "services": [], "labels": {},
                             "is_drill": index % 50 == 0, "personal_data_breach": False,
                             "declared_in_error": False, "source": "bench",
                             "created_by": "bench", "started_at": started,
                             "detected_at": started, "declared_at": started,
                             "updated_at": started})
                common = {"incident_id": index + 1, "severity": severity,
                          "type": rows[-1]["type"], "month": started.strftime("%Y-%m"),
                          "started_at": started, "is_drill": rows[-1]["is_drill"]}
                for metric in names:
                    value = chosen.expovariate(1 / 1800) if chosen.random() > 0.05 else None
                    figures.append({**common, "metric": metric, "value": value,
                                    "met": chosen.random() > 0.2 if metric ==
                                    "response_target" else None,
                                    "from_at": None, "to_at": None})
                resolve = next(f["value"] for f in figures[-len(names):]
                               if f["metric"] == "time_to_resolve")
                for service in chosen.sample(SERVICES, chosen.randint(1, 2)):
                    facets.append({"incident_id": index + 1, "facet": "service",
                                   "value": service, "is_drill": rows[-1]["is_drill"],
                                   "started_at": started, "resolve_seconds": resolve})
            session.execute(insert(Incident), rows)
            session.execute(insert(Figure), figures)
            session.execute(insert(Facet), facets)
        session.commit()
    database.dispose()


def timed(function: Any, runs: int) -> dict[str, float]:
    times = []
    for _ in range(runs):
        begun = time.perf_counter()
        function()
        times.append((time.perf_counter() - begun) * 1000)
    times.sort()
    return {"p50_ms": round(statistics.median(times), 2),
            "p99_ms": round(times[min(len(times) - 1, int(len(times) * 0.99))], 2)}


def measure(url: str, runs: int) -> dict[str, Any]:
    engine = create_engine(url)
    now = END
    results: dict[str, Any] = {}
    with Session(engine) as session:
        baseline = timed(lambda: session.execute(
            select(Incident.severity, func.count()).group_by(Incident.severity)).all(), runs)
        results["baseline_count_group_by"] = baseline
        for by in ("severity", "month"):
            figures = timed(lambda by=by: aggregate.response(
                session, aggregate.Query(by=by), now=now), runs)
            figures["ratio_to_baseline_p50"] = round(figures["p50_ms"] /
                                                     max(baseline["p50_ms"], 0.01), 1)
            results[f"by_{by}"] = figures
    engine.dispose()
    return results


def pdf_seconds() -> float:
    facts = {"incident": "INC-1", "title": "Chat is down", "is_drill": False, "type": "outage",
             "severity": "sev2", "severity_name": "High", "services": ["chat"],
             "started_at": END, "detected_at": END, "declared_at": END,
             "acknowledged_at": END, "acknowledged_by": "alice", "contained_at": END,
             "resolved_at": END, "duration_seconds": 3000.0,
             "key_events": [{"at": END, "kind": "phase", "actor": "alice",
                             "summary": f"event {n}"} for n in range(40)],
             "pages": {"sent": 3, "people": 2, "answered": True, "answered_by": "alice"},
             "comms": [], "status_notices": [],
             "playbook_steps": {"total": 10, "done": 8, "skipped": 1, "overridden": 1,
                                "failed": 0, "pending": 0},
             "figures": [{"title": d, "value": 600.0 * (n + 1), "unit": "seconds",
                          "start": "a", "end": "b", "met": None}
                         for n, d in enumerate(definitions.names())]}

    class Review:
        state, waiver_reason, due_at, signoffs = "approved", None, END, []
        sections = {"overview": "Chat was down. " * 50, "root_cause_primary": "A push."}

    begun = time.perf_counter()
    export.pdf(export.html(Review(), facts, []))  # type: ignore[arg-type]
    return round(time.perf_counter() - begun, 3)


def pg_database(base: str) -> tuple[str, Any]:
    name = f"bench_metrics_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(base).set(database=name).render_as_string(hide_password=False)

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    count = 2_000 if args.quick else 100_000
    runs = 5 if args.quick else 50
    report: dict[str, Any] = {"incidents": count, "runs": runs}
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        begun = time.perf_counter()
        fill(url, count)
        report["sqlite_fill_s"] = round(time.perf_counter() - begun, 1)
        report["sqlite"] = measure(url, runs)
    pg = os.environ.get("WARROOM_BENCH_PG_URL") or os.environ.get("WARROOM_TEST_PG_URL")
    if pg:
        url, drop = pg_database(pg)
        try:
            fill(url, count)
            report["postgresql"] = measure(url, runs)
        finally:
            drop()
    report["pdf_export_s"] = pdf_seconds()  # the process's first: WeasyPrint's import, fonts
    report["pdf_export_warm_s"] = pdf_seconds()  # what each later export costs
    print(f"{'backend':<12}{'query':<26}{'p50 ms':>10}{'p99 ms':>10}{'x baseline':>12}")
    for backend in ("sqlite", "postgresql"):
        for query, figures in report.get(backend, {}).items():
            print(f"{backend:<12}{query:<26}{figures['p50_ms']:>10}{figures['p99_ms']:>10}"
                  f"{figures.get('ratio_to_baseline_p50', 1.0):>12}")
    print(f"PDF export with chart: {report['pdf_export_s']} s first in the process, "
          f"{report['pdf_export_warm_s']} s after")
    print(json.dumps(report, default=str))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
