"""Console benchmark: the incident list, a busy incident's page and live
updates, on a real ``warroom serve`` (SQLite), against the JSON API answering
the same data in the same run.

With 10,000 incidents in the database and one incident holding 5,000 timeline
events and 3 playbooks, it measures:

- server time (``wrk``, signed-in session cookie) to render the incident list
  (first page) and that incident's page, p50 and p99, against the baseline of
  the same run: ``/api/v1/incidents`` (first page) and ``/api/v1/incidents/INC-n``
  plus its timeline (``/api/v1/incidents/INC-n/timeline``), with a token; the
  incident page's baseline is the sum of those two requests' figures;
- the time from a timeline event's write (the API request that commits it is
  sent) to its arrival at each of 200 connected event-stream clients (the
  console's ``/incidents/live/events``), p50 and p99 over every event and client;
- the server's resident memory with those clients connected (psutil).

The incidents and the timeline events are seeded with bulk INSERTs (the
measured pages read them; how they were written does not matter); the busy
incident, its playbooks and the measured events go through the API.

    python bench/console.py            # 10,000 incidents, 5,000 events, 200 clients
    python bench/console.py --quick    # 2,000 incidents, 1,000 events, 50 clients

The last line printed is one JSON object holding every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert

from statuspage import MemoryWatch, Server, start_warroom, wrk  # the same run's helpers
from warroom import registry  # noqa: F401  (imports every domain's tables)
from warroom.auth import service as users
from warroom.console.session import SESSION_COOKIE, start_session
from warroom.db import SYSTEM, Actor, Database
from warroom.incidents.models import Incident, TimelineEvent

GOALS = {"incident_p99_ms": 50.0, "incident_vs_api": 2.0, "list_p99_ms": 30.0,
         "live_p99_ms": 250.0, "rss_mb": 250.0}
SEVERITIES = ("sev1", "sev2", "sev3", "sev4")
TYPES = ("service_outage", "performance_degradation", "security_breach", "third_party")
PHASES = ("closed", "closed", "closed", "lessons_learned", "triage")


@dataclass
class Plan:
    incidents: int
    events: int
    playbooks: int
    clients: int
    writes: int
    seconds: int
    connections: int


PLANS = {
    "quick": Plan(incidents=2_000, events=1_000, playbooks=3, clients=50, writes=15,
                  seconds=3, connections=2),
    "full": Plan(incidents=10_000, events=5_000, playbooks=3, clients=200, writes=50,
                 seconds=10, connections=2),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="reduced run, under a minute")
    mode = "quick" if parser.parse_args().quick else "full"
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed (Debian: apt-get install wrk)")
    plan = PLANS[mode]
    with tempfile.TemporaryDirectory(prefix="warroom-bench-") as scratch:
        report = run(Path(scratch), plan)
    report["mode"] = mode
    report["plan"] = asdict(plan)
    print_table(report, plan)
    print(json.dumps(report, separators=(",", ":")))


def run(scratch: Path, plan: Plan) -> dict[str, Any]:
    server = start_warroom(scratch)
    try:
        database = Database(f"sqlite:///{scratch}/warroom.db")
        say(f"seeding {plan.incidents} incidents")
        seed_incidents(database, plan.incidents - 1)
        ref = busy_incident(server, plan)
        seed_events(database, ref, plan.events)
        cookie = session_cookie(database)
        database.dispose()
        report: dict[str, Any] = {"incident": ref, "load_before": os.getloadavg()[0]}
        api = {"Authorization": f"Bearer {server.token}"}
        console = {"Cookie": f"{SESSION_COOKIE}={cookie}"}
        check(server, "/incidents", console, scratch)
        check(server, f"/incidents/{ref}", console, scratch)
        surfaces = {
            "console_list": ("/incidents", console),
            "api_list": ("/api/v1/incidents", api),
            "console_incident": (f"/incidents/{ref}", console),
            "api_incident": (f"/api/v1/incidents/{ref}", api),
            "api_timeline": (f"/api/v1/incidents/{ref}/timeline", api),
        }
        say("wrk")
        for path, headers in surfaces.values():  # warm-up
            wrk(server.url + path, 1, plan.connections, headers=headers)
        figures = {name: asdict(wrk(server.url + path, plan.seconds, plan.connections,
                                    headers=headers))
                   for name, (path, headers) in surfaces.items()}
        figures["api_incident_with_timeline"] = {
            k: round(figures["api_incident"][k] + figures["api_timeline"][k], 3)
            for k in ("p50_ms", "p99_ms")}
        report["http"] = figures
        report["ratio_incident_to_api_p99"] = _ratio(
            figures["console_incident"]["p99_ms"], figures["api_incident_with_timeline"]["p99_ms"])
        report["ratio_list_to_api_p99"] = _ratio(figures["console_list"]["p99_ms"],
                                                 figures["api_list"]["p99_ms"])
        say(f"live updates to {plan.clients} clients")
        memory = MemoryWatch(server.process.pid)
        report["rss_mb_idle"] = memory.sample()
        with memory:
            live, rss = asyncio.run(live_updates(server, ref, console, api, plan, memory))
        report["live"] = live
        report["rss_mb_with_clients"] = rss
        report["rss_mb_peak"] = memory.peak
        report["goals_met"] = {
            "incident_p99_ms": figures["console_incident"]["p99_ms"] < GOALS["incident_p99_ms"],
            "incident_vs_api": report["ratio_incident_to_api_p99"] <= GOALS["incident_vs_api"],
            "list_p99_ms": figures["console_list"]["p99_ms"] < GOALS["list_p99_ms"],
            "live_p99_ms": live["p99_ms"] < GOALS["live_p99_ms"] and live["missed"] == 0,
            "rss_mb": memory.peak < GOALS["rss_mb"]}
        return report
    finally:
        server.stop()


def say(text: str) -> None:
    print(f"... {text}", file=sys.stderr, flush=True)


def seed_incidents(database: Database, count: int) -> None:
    """Closed and open incidents over a year, older than the busy one."""
    chosen = random.Random(1)
    now = datetime.now(UTC)
    with database.unit_of_work(SYSTEM) as uow:
        for start in range(0, count, 5000):
            rows = []
            for index in range(start, min(start + 5000, count)):
                at = now - timedelta(minutes=chosen.randint(60, 365 * 24 * 60))
                rows.append({"title": f"Bench incident {index}", "description": "",
                             "type": chosen.choice(TYPES), "severity": chosen.choice(SEVERITIES),
                             "phase": chosen.choice(PHASES), "services": ["chat"],
                             "labels": {}, "is_drill": index % 50 == 0,
                             "personal_data_breach": False, "declared_in_error": False,
                             "source": "bench", "created_by": "bench", "started_at": at,
                             "detected_at": at, "declared_at": at, "updated_at": at})
            uow.session.execute(insert(Incident), rows)


def busy_incident(server: Server, plan: Plan) -> str:
    """Declared through the API, with playbooks attached through the API."""
    with httpx.Client(base_url=server.url, timeout=30,
                      headers={"Authorization": f"Bearer {server.token}"}) as http:
        answer = http.post("/api/v1/incidents", json={
            "type": "service_outage", "severity": "sev2", "title": "Chat is down",
            "description": "Messages are not delivered.", "services": ["chat", "media"]})
        answer.raise_for_status()
        ref: str = answer.json()["id"]
        names = [p["name"] for p in http.get("/api/v1/playbooks").raise_for_status().json()]
        attached = 0
        for name in names:
            if attached == plan.playbooks:
                break
            if http.post(f"/api/v1/incidents/{ref}/playbooks",
                         json={"playbook": name}).status_code == 201:
                attached += 1
        if attached < plan.playbooks:
            say(f"only {attached} playbooks could be attached")
    return ref


def seed_events(database: Database, ref: str, count: int) -> None:
    incident_id = int(ref.split("-")[-1])
    start = datetime.now(UTC) - timedelta(hours=6)
    kinds = ("note", "note", "alert", "page", "phase")
    rows = [{"incident_id": incident_id, "at": start + timedelta(seconds=4 * n),
             "kind": kinds[n % len(kinds)], "actor": "bench",
             "summary": f"Event {n}: the chat queue is at {n % 97} % of its limit", "data": None}
            for n in range(count)]
    with database.unit_of_work(SYSTEM) as uow:
        uow.session.execute(insert(TimelineEvent), rows)


def session_cookie(database: Database) -> str:
    """A responder signed in: the console's own ``start_session``."""
    with database.unit_of_work(SYSTEM) as uow:
        user = users.create(uow, username="bench-responder", role="responder")
        user_id = user.id
    with database.unit_of_work(Actor(name="bench-responder", user_id=user_id)) as uow:
        return start_session(uow, user_id=user_id, address="127.0.0.1", method="password")


def check(server: Server, path: str, headers: dict[str, str], scratch: Path) -> None:
    answer = httpx.get(server.url + path, headers=headers, timeout=30)
    if answer.status_code != 200:
        log = (scratch / "warroom.log").read_text()[-3000:]
        sys.exit(f"{path} answered {answer.status_code}: {answer.text[:300]}\n{log}")


async def live_updates(server: Server, ref: str, console: dict[str, str],
                       api: dict[str, str], plan: Plan, memory: MemoryWatch
                       ) -> tuple[dict[str, Any], float]:
    """``plan.clients`` event streams open at once; ``plan.writes`` notes added
    through the API one after another; for each, the time from sending the
    write to each client reading the event."""
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        latest = max(e["id"] for e in (await http.get(
            f"/api/v1/incidents/{ref}/timeline", params={"after_id": 0, "limit": 5000},
            headers=api)).json())
        clients = [Listener() for _ in range(plan.clients)]
        await asyncio.gather(*(c.open(server.port, console["Cookie"], latest) for c in clients))
        await asyncio.sleep(1.0)  # every stream subscribed
        rss = memory.sample()
        sent: dict[int, float] = {}
        for n in range(plan.writes):
            begun = time.perf_counter()
            answer = await http.post(f"/api/v1/incidents/{ref}/notes", headers=api,
                                     json={"text": f"Live update {n}"})
            answer.raise_for_status()
            event_id = answer.json()[-1]["id"]
            sent[event_id] = begun
            deadline = time.perf_counter() + 5
            while (any(event_id not in c.received for c in clients)
                   and time.perf_counter() < deadline):
                await asyncio.sleep(0.005)
            await asyncio.sleep(random.uniform(0.05, 0.15))  # writes at no fixed phase
        rss = max(rss, memory.sample())
        for client in clients:
            client.close()
    latencies = sorted((c.received[e] - at) * 1000 for e, at in sent.items()
                       for c in clients if e in c.received)
    missed = len(sent) * len(clients) - len(latencies)
    return {"clients": plan.clients, "writes": plan.writes, "missed": missed,
            "p50_ms": _quantile(latencies, 0.5), "p99_ms": _quantile(latencies, 0.99),
            "max_ms": round(latencies[-1], 2) if latencies else -1.0}, rss


class Listener(asyncio.Protocol):
    """One event-stream client on a raw socket: notes when each event id arrives."""

    def __init__(self) -> None:
        self.received: dict[int, float] = {}
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    async def open(self, port: int, cookie: str, after: int) -> None:
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_connection(lambda: self, "127.0.0.1", port)
        transport.write((f"GET /incidents/live/events?after={after} HTTP/1.1\r\n"
                         f"Host: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n"
                         f"Cookie: {cookie}\r\n\r\n").encode())

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        now = time.perf_counter()
        self.buffer += data
        *lines, self.buffer = self.buffer.split(b"\n")
        for line in lines:
            if line.startswith(b"id:"):
                self.received.setdefault(int(line[3:].strip()), now)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


def _quantile(ordered: list[float], q: float) -> float:
    if not ordered:
        return -1.0
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * q))], 2)


def _ratio(value: float, base: float) -> float:
    return round(value / base, 2) if base > 0 else -1.0


def print_table(report: dict[str, Any], plan: Plan) -> None:
    figures = report["http"]
    print(f"\nconsole benchmark ({report['mode']}): {plan.incidents} incidents, "
          f"{report['incident']} with {plan.events} timeline events and {plan.playbooks} "
          f"playbooks; wrk -t1 -c{plan.connections} {plan.seconds}s per surface; "
          f"load average before {report['load_before']:.2f}")
    print(f"{'surface':<30}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for name, result in figures.items():
        rate = result.get("requests_per_second", "")
        errors = result.get("errors", "")
        print(f"{name:<30}{rate:>9}{result['p50_ms']:>9}{result['p99_ms']:>9}{errors:>8}")
    print(f"incident page p99 / API incident+timeline p99: "
          f"{report['ratio_incident_to_api_p99']}x; list / API list: "
          f"{report['ratio_list_to_api_p99']}x")
    live = report["live"]
    print(f"live updates, {live['clients']} event-stream clients, {live['writes']} writes: "
          f"p50 {live['p50_ms']} ms, p99 {live['p99_ms']} ms, max {live['max_ms']} ms, "
          f"missed {live['missed']}")
    print(f"server RSS: {report['rss_mb_idle']} MB before the streams, "
          f"{report['rss_mb_with_clients']} MB with them, {report['rss_mb_peak']} MB peak")
    goals = ", ".join(f"{k} {'met' if v else 'MISSED'}" for k, v in report["goals_met"].items())
    print(f"goals (incident p99 < 50 ms and <= 2x API, list p99 < 30 ms, live p99 < 250 ms, "
          f"RSS < 250 MB): {goals}\n")


if __name__ == "__main__":
    main()
