"""Alert intake benchmark.

Measures, on SQLite and on PostgreSQL, a real ``warroom serve`` process:

- alerts/s for Alertmanager webhooks of 50 alerts each (every alert new),
- requests/s for single-alert generic posts (every alert new, 20 groups),
- p50/p99 latency of single posts sent at a fixed 300 requests/s,
- a storm: 10,000 alerts across 200 group keys sent concurrently, which must
  leave exactly 200 incidents and 10,000 stored alerts; the server's peak
  resident memory is sampled from outside (psutil) throughout.

In the same run it measures two baselines on this machine and prints the
ratios: (a) the real Alertmanager's own ``POST /api/v2/alerts`` with the same
alerts (50 per request, and 1 per request), and (b) a minimal ASGI app under
the same server (uvicorn) doing one SQLite insert per request.

Throughput is driven by ``wrk`` (Lua scripts generate unique bodies). wrk
cannot hold a fixed rate, so the latency figure comes from a small paced load
generator in this file: requests are scheduled at exact intervals over a pool
of keep-alive connections and each latency is measured from the scheduled
send time, so a slow answer is not hidden by the requests it delays.

    python bench/intake.py            # full run
    python bench/intake.py --quick    # the same measurements, shorter (< 1 minute)

The last line printed is one JSON object holding every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import psutil

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

ROOT = Path(__file__).resolve().parents[1]
STARTED = time.monotonic()
WARROOM = str(Path(sys.executable).with_name("warroom"))
ALERTMANAGER = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager") \
    or "/usr/bin/prometheus-alertmanager"
GOALS = {"batched_alerts_per_s": 15_000, "batched_ratio": 0.25, "single_requests_per_s": 2_000,
         "single_ratio": 0.20, "p99_ms": 20.0, "peak_rss_mb": 300.0}
STORM_ALERTS, STORM_GROUPS, BATCH = 10_000, 200, 50
QUICK_STORM = (1_000, 20)  # --quick: the same storm, a tenth of the size
PACED_RATE = 300
GROUPS = {"BenchGroup": 10, "BenchSingle": 20, "Paced": 20}
QUICK_GROUPS = {"BenchGroup": 5, "BenchSingle": 10, "Paced": 10}
FAILURES: list[str] = []
STORM_RULE = {"name": "bench-storm", "match": {"alertname": "StormAlert"},
              "type": "service_outage", "severity": "low", "playbook": "general-procedure",
              "escalation_policy": "sev4", "group_by": ["alertname", "storm_group"],
              "title": "Storm {{ labels.storm_group }}"}


@dataclass
class Plan:
    seconds: float
    paced_seconds: float
    quick: bool
    storm_alerts: int = STORM_ALERTS
    storm_groups: int = STORM_GROUPS
    groups: dict[str, int] = field(default_factory=lambda: dict(GROUPS))


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs (under a minute)")
    parser.add_argument("--pg-url", default=os.environ.get("WARROOM_TEST_PG_URL"),
                        help="PostgreSQL to create a throwaway database in (default: "
                             "WARROOM_TEST_PG_URL, else a cluster started for the run)")
    parser.add_argument("--serve-baseline", nargs=2, metavar=("PORT", "DB"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_baseline:
        serve_baseline(int(args.serve_baseline[0]), args.serve_baseline[1])
        return
    plan = Plan(seconds=10.0, paced_seconds=10.0, quick=False)
    if args.quick:
        plan = Plan(seconds=2.0, paced_seconds=2.0, quick=True, storm_alerts=QUICK_STORM[0],
                    storm_groups=QUICK_STORM[1], groups=dict(QUICK_GROUPS))
    with tempfile.TemporaryDirectory(prefix="warroom-bench-") as folder:
        work = Path(folder)
        work.chmod(0o755)  # a PostgreSQL cluster started for the run runs as 'postgres'
        figures: dict[str, Any] = {"quick": plan.quick, "cpus": os.cpu_count(),
                                   "goals": GOALS}
        figures["baselines"] = measure_baselines(work, plan)
        figures["sqlite"] = measure_warroom(work, plan, f"sqlite:///{work}/warroom.db")
        with postgresql(work, args.pg_url) as pg_url:
            figures["postgresql"] = measure_warroom(work, plan, pg_url) if pg_url else None
        figures["ratios"] = ratios(figures)
        figures["goals_met"] = goals_met(figures)
    print_table(figures)
    print(json.dumps(figures, separators=(",", ":")))


# --- measurements ----------------------------------------------------------------

def progress(step: str) -> None:
    """What is being measured, on stderr (stdout is the table and the JSON)."""
    print(f"[{time.monotonic() - STARTED:5.1f}s] {step}", file=sys.stderr, flush=True)


def measure_baselines(work: Path, plan: Plan) -> dict[str, Any]:
    """Alertmanager's own API and a minimal ASGI + SQLite app, same alerts, same load."""
    figures: dict[str, Any] = {}
    progress("baseline: Alertmanager POST /api/v2/alerts")
    with alertmanager(work) as url:
        batched = wrk(url, AM_V2_BATCH, plan, connections=16, prefix="amb",
                      groups=plan.groups["BenchGroup"])
        single = wrk(url, AM_V2_SINGLE, plan, connections=64, prefix="ams",
                     groups=plan.groups["BenchSingle"])
        figures["alertmanager_alerts_per_s"] = batched["requests_per_s"] * BATCH
        figures["alertmanager_single_requests_per_s"] = single["requests_per_s"]
    progress("baseline: minimal ASGI app inserting into SQLite")
    with baseline_app(work) as url:
        minimal = wrk(url, GENERIC_SINGLE.replace("/api/v1/alerts/generic", "/insert"), plan,
                      connections=64, prefix="min")
        figures["minimal_asgi_insert_requests_per_s"] = minimal["requests_per_s"]
    return figures


def measure_warroom(work: Path, plan: Plan, database_url: str) -> dict[str, Any]:
    backend = database_url.split(":", 1)[0].split("+", 1)[0]
    progress(f"warroom on {backend}: starting, opening the groups")
    with warroom(work, database_url) as server:
        token = server.tokens["responder"]
        open_groups(server, plan)
        settle(server, timeout=2.0 if plan.quick else 30.0)
        progress(f"warroom on {backend}: webhooks, single posts, paced latency, storm")
        batched = wrk(server.url, AM_WEBHOOK_BATCH, plan, connections=16, prefix="b",
                      token=token, groups=plan.groups["BenchGroup"])
        single = wrk(server.url, GENERIC_SINGLE, plan, connections=64, prefix="s",
                     token=token, groups=plan.groups["BenchSingle"])
        before = server_histogram(server)
        latencies = asyncio.run(paced(server, plan))
        inside = server_percentiles(before, server_histogram(server))
        storm = run_storm(server, plan)
    return {"batched_alerts_per_s": batched["requests_per_s"] * BATCH,
            "batched_errors": batched["errors"],
            "single_requests_per_s": single["requests_per_s"],
            "single_errors": single["errors"],
            "paced_rate": PACED_RATE, "p50_ms": percentile(latencies, 50),
            "p99_ms": percentile(latencies, 99), "paced_errors": latencies.count(-1.0),
            **inside, **storm}


def server_histogram(server: Server) -> dict[float, float]:
    """The server's own request-duration histogram for the generic receiver."""
    text = httpx.get(f"{server.url}/metrics").text
    found = re.findall(r'warroom_http_request_duration_seconds_bucket\{le="([^"]+)",'
                       r'route="/api/v1/alerts/generic"\} (\S+)', text)
    return {float(bound): float(count) for bound, count in found}


def server_percentiles(before: dict[float, float], after: dict[float, float]
                       ) -> dict[str, float]:
    """p50/p99 as the server measured them (the upper bound of the histogram
    bucket they fall in): time from the request reaching warroom to its answer,
    without the client's and the kernel's share."""
    counts = {bound: after[bound] - before.get(bound, 0.0) for bound in sorted(after)}
    total = counts.get(float("inf"), 0.0)
    figures = {}
    for pct in (50, 99):
        bound = next((b for b, n in counts.items() if total and n >= total * pct / 100),
                     float("inf"))
        figures[f"server_p{pct}_ms_at_most"] = bound * 1000
    return figures


def open_groups(server: Server, plan: Plan) -> None:
    """Open the incidents the throughput runs feed, before measuring: these
    runs measure alerts joining incidents; opening incidents (which also
    attaches playbooks, starts escalations...) is what the storm measures."""
    names = [f"{kind}{n}" for kind, count in plan.groups.items() for n in range(count)]
    answer = httpx.post(f"{server.url}/api/v1/alerts/generic",
                        json=[{"name": name, "severity": "medium"} for name in names],
                        headers={"Authorization": f"Bearer {server.tokens['responder']}"},
                        timeout=120)
    answer.raise_for_status()


def settle(server: Server, *, timeout: float) -> None:
    """Wait until the server is idle again (its worker has dealt with the new
    incidents: playbooks attached, escalations started), so that background
    work does not run during a measurement."""
    process = psutil.Process(server.process.pid)
    deadline = time.monotonic() + timeout
    process.cpu_percent()
    while time.monotonic() < deadline:
        time.sleep(0.5)
        if process.cpu_percent() < 10:
            return


def run_storm(server: Server, plan: Plan) -> dict[str, Any]:
    """10,000 alerts, 200 groups, 200 webhooks of 50: each webhook touches 50
    groups and each group is fed by 50 webhooks, all sent at once (--quick:
    2,000 alerts, 40 groups)."""
    admin = {"Authorization": f"Bearer {server.tokens['admin']}"}
    answer = httpx.post(f"{server.url}/api/v1/routing/rules", json=STORM_RULE, headers=admin)
    answer.raise_for_status()
    bodies = [storm_webhook(n, plan.storm_groups)
              for n in range(plan.storm_alerts // BATCH)]
    process = psutil.Process(server.process.pid)
    with peak_rss(process) as peak:
        started = time.perf_counter()
        statuses = asyncio.run(send_all(server, "/api/v1/alerts/alertmanager", bodies,
                                        server.tokens["responder"], concurrency=64))
        seconds = time.perf_counter() - started
    incidents = httpx.get(f"{server.url}/api/v1/incidents", params={"q": "Storm g", "limit": 1},
                          headers=admin).json()["total"]
    alerts = httpx.get(f"{server.url}/api/v1/alerts",
                       params={"name": "StormAlert", "limit": 1}, headers=admin).json()["total"]
    return {"storm_seconds": round(seconds, 3), "storm_incidents": incidents,
            "storm_alerts": alerts, "storm_failed_requests": sum(s != 200 for s in statuses),
            "peak_rss_mb": round(peak() / 2**20, 1),
            "storm_sent": plan.storm_alerts, "storm_groups": plan.storm_groups,
            "storm_ok": incidents == plan.storm_groups and alerts == plan.storm_alerts}


def storm_webhook(n: int, groups: int) -> bytes:
    alerts = []
    for i in range(BATCH):
        number = n * BATCH + i
        labels = {"alertname": "StormAlert", "storm_group": f"g{number % groups:03d}",
                  "instance": f"storm-{number}"}
        alerts.append({"status": "firing", "labels": labels,
                       "annotations": {"summary": f"storm alert {number}"},
                       "startsAt": "2026-01-05T11:58:00Z", "endsAt": "0001-01-01T00:00:00Z",
                       "generatorURL": "http://prometheus:9090/graph",
                       "fingerprint": f"{number:016x}"})
    return json.dumps({"version": "4", "receiver": "warroom", "status": "firing",
                       "alerts": alerts, "groupLabels": {}, "commonLabels": {},
                       "commonAnnotations": {}, "externalURL": "", "groupKey": f"storm{n}",
                       "truncatedAlerts": 0}).encode()


# --- servers -------------------------------------------------------------------

@contextmanager
def warroom(work: Path, database_url: str) -> Iterator[Server]:
    port = free_port()
    env = {**os.environ, "WARROOM_DATABASE_URL": database_url, "WARROOM_HOST": "127.0.0.1",
           "WARROOM_PORT": str(port), "WARROOM_DATA_DIR": str(work / "var"),
           "WARROOM_LOG_LEVEL": "warning", "WARROOM_SECRET_KEY": "bench-secret"}
    log = work / f"warroom-{port}.log"
    process = subprocess.Popen([WARROOM, "serve"], env=env, cwd=ROOT, stdout=log.open("wb"),
                               stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        wait_until(lambda: _answers(server.url + "/health"), what="warroom", process=process)
        # the first start writes the admin's token to a file and prints its path;
        # senders get a responder token
        written = re.search(r"admin API token written to (\S+)", log.read_text())
        assert written, "warroom serve did not say where it wrote the admin token"
        admin = Path(written.group(1)).read_text().strip()
        answer = httpx.post(f"{server.url}/api/v1/tokens", json={"name": "bench-sender",
                                                                  "role": "responder"},
                            headers={"Authorization": f"Bearer {admin}"})
        answer.raise_for_status()
        server.tokens = {"admin": admin, "responder": answer.json()["token"]}
        yield server
    finally:
        server.stop()


@contextmanager
def alertmanager(work: Path) -> Iterator[str]:
    folder = work / "alertmanager"
    folder.mkdir()
    (folder / "alertmanager.yml").write_text("route: {receiver: none}\nreceivers:\n"
                                             "  - name: none\n")
    port = free_port()
    process = subprocess.Popen(
        [ALERTMANAGER, f"--config.file={folder / 'alertmanager.yml'}",
         f"--storage.path={folder / 'data'}", f"--web.listen-address=127.0.0.1:{port}",
         "--cluster.listen-address=", "--log.level=warn"],
        stdout=(folder / "log").open("wb"), stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", process, folder / "log")
    try:
        wait_until(lambda: _answers(server.url + "/-/ready"), what="alertmanager",
                   process=process)
        yield server.url
    finally:
        server.stop()


@contextmanager
def baseline_app(work: Path) -> Iterator[str]:
    port = free_port()
    log = work / "baseline.log"
    process = subprocess.Popen([sys.executable, __file__, "--serve-baseline", str(port),
                                str(work / "baseline.db")], stdout=log.open("wb"),
                               stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        wait_until(lambda: _answers(server.url + "/ready"), what="baseline app",
                   process=process)
        yield server.url
    finally:
        server.stop()


def serve_baseline(port: int, path: str) -> None:
    """The minimal ASGI app: read the body, insert it into SQLite, answer."""
    import uvicorn

    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("CREATE TABLE IF NOT EXISTS alerts (id INTEGER PRIMARY KEY, body TEXT)")

    async def app(scope: dict[str, Any], receive: Callable[..., Any],
                  send: Callable[..., Any]) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                await send({"type": message["type"] + ".complete"})
                if message["type"] == "lifespan.shutdown":
                    return
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        if scope["method"] == "POST":
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("INSERT INTO alerts (body) VALUES (?)", (body.decode(),))
            connection.execute("COMMIT")
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", b"11")]})
        await send({"type": "http.response.body", "body": b'{"ok":true}'})

    uvicorn.run(app, host="127.0.0.1", port=port, access_log=False, log_level="warning")


@contextmanager
def postgresql(work: Path, admin_url: str | None) -> Iterator[str | None]:
    """A throwaway database: in the given cluster, or in one started for the run."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    started = None
    if not admin_url and shutil.which("bash") and (ROOT / "scripts/pg-cluster.sh").exists():
        result = subprocess.run([str(ROOT / "scripts/pg-cluster.sh"), "start", str(work / "pg")],
                                capture_output=True, text=True)
        admin_url, started = (result.stdout.strip() or None), work / "pg"
    if not admin_url:
        yield None
        return
    name = f"warroom_bench_{os.getpid()}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        if started is not None:
            subprocess.run([str(ROOT / "scripts/pg-cluster.sh"), "stop", str(started)],
                           capture_output=True)


# --- load ------------------------------------------------------------------------

DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('\\nRESULT {"requests": %d, "duration_us": %d, "errors": %d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout + e.status))
end
"""
COUNTER = """
local counter, threads, token = 0, 0, os.getenv("BENCH_TOKEN") or ""
local prefix = os.getenv("BENCH_PREFIX") or "x"
local groups = tonumber(os.getenv("BENCH_GROUPS") or "10")
function setup(thread) thread:set("tid", threads); threads = threads + 1 end
local function headers()
  return {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}
end
local function alert(n, i, group)
  local id = string.format("%s%d-%d-%d", prefix, tid, n, i)
  return string.format('{"status":"firing","labels":{"alertname":"BenchGroup%d","job":"bench",'
    .. '"instance":"%s"},"annotations":{"summary":"bench alert %s"},'
    .. '"startsAt":"2026-01-05T11:58:00Z","endsAt":"0001-01-01T00:00:00Z",'
    .. '"generatorURL":"http://prometheus:9090/graph","fingerprint":"%s"}', group, id, id, id)
end
"""
AM_WEBHOOK_BATCH = COUNTER + """
function request()
  counter = counter + 1
  local alerts = {}
  for i = 1, 50 do alerts[i] = alert(counter, i, counter % groups) end
  local body = '{"version":"4","receiver":"warroom","status":"firing","alerts":['
    .. table.concat(alerts, ",") .. '],"groupLabels":{},"commonLabels":{},'
    .. '"commonAnnotations":{},"externalURL":"http://alertmanager:9093",'
    .. '"groupKey":"bench","truncatedAlerts":0}'
  return wrk.format("POST", "/api/v1/alerts/alertmanager", headers(), body)
end
""" + DONE
AM_V2_BATCH = COUNTER + """
function request()
  counter = counter + 1
  local alerts = {}
  for i = 1, 50 do alerts[i] = alert(counter, i, counter % groups) end
  return wrk.format("POST", "/api/v2/alerts", headers(), "[" .. table.concat(alerts, ",") .. "]")
end
""" + DONE
GENERIC_SINGLE = COUNTER + """
function request()
  counter = counter + 1
  local body = string.format('{"name":"BenchSingle%d","severity":"medium",'
    .. '"summary":"single bench alert","labels":{"instance":"%s%d-%d"}}',
    counter % groups, prefix, tid, counter)
  return wrk.format("POST", "/api/v1/alerts/generic", headers(), body)
end
""" + DONE
AM_V2_SINGLE = COUNTER + """
function request()
  counter = counter + 1
  local body = string.format('[{"labels":{"alertname":"BenchSingle%d","severity":"medium",'
    .. '"instance":"%s%d-%d"},"annotations":{"summary":"single bench alert"}}]',
    counter % groups, prefix, tid, counter)
  return wrk.format("POST", "/api/v2/alerts", headers(), body)
end
""" + DONE


def wrk(url: str, script: str, plan: Plan, *, connections: int, prefix: str,
        token: str = "", groups: int = 10) -> dict[str, float]:
    """Run wrk with a generated Lua script; requests/s and error count."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(script)
    env = {**os.environ, "BENCH_TOKEN": token, "BENCH_PREFIX": f"{prefix}{time.time_ns()}",
           "BENCH_GROUPS": str(groups)}
    try:
        result = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{int(plan.seconds)}s",
                                 "--timeout", "10s", "-s", file.name, url], env=env,
                                capture_output=True, text=True, timeout=plan.seconds + 60)
    finally:
        os.unlink(file.name)
    line = next((ln for ln in result.stdout.splitlines() if ln.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed: {result.stdout}\n{result.stderr}")
    data = json.loads(line.removeprefix("RESULT "))
    seconds = data["duration_us"] / 1e6
    return {"requests_per_s": round(data["requests"] / seconds, 1), "errors": data["errors"]}


async def paced(server: Server, plan: Plan) -> list[float]:
    """Single generic posts at exactly PACED_RATE per second; latency (ms) from
    each request's scheduled time to its complete answer (-1 for a failure)."""
    headers = {"Authorization": f"Bearer {server.tokens['responder']}"}
    count = int(PACED_RATE * plan.paced_seconds)
    bodies = [json.dumps({"name": f"Paced{n % plan.groups['Paced']}", "severity": "medium",
                          "labels": {"instance": f"paced-{n}"}}).encode() for n in range(count)]
    pool = Connections("127.0.0.1", server.port)
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.2
    tasks = []
    for n, body in enumerate(bodies):
        at = start + n / PACED_RATE
        await asyncio.sleep(max(0.0, at - loop.time()))
        tasks.append(asyncio.create_task(_timed(pool, "/api/v1/alerts/generic", body, headers,
                                                at)))
    latencies = await asyncio.gather(*tasks)
    await pool.close()
    return list(latencies)


async def send_all(server: Server, path: str, bodies: list[bytes], token: str, *,
                   concurrency: int) -> list[int]:
    """Send every body once, ``concurrency`` at a time; the answers' statuses."""
    pool = Connections("127.0.0.1", server.port)
    headers = {"Authorization": f"Bearer {token}"}
    queue = list(enumerate(bodies))
    statuses = [0] * len(bodies)

    async def sender() -> None:
        while queue:
            index, body = queue.pop()
            try:
                statuses[index] = (await pool.post(path, body, headers))[0]
            except (OSError, ValueError, asyncio.IncompleteReadError):
                statuses[index] = -1

    await asyncio.gather(*(sender() for _ in range(concurrency)))
    await pool.close()
    return statuses


async def _timed(pool: Connections, path: str, body: bytes, headers: dict[str, str],
                 scheduled: float) -> float:
    try:
        status, answer = await pool.post(path, body, headers)
    except (OSError, ValueError, asyncio.IncompleteReadError) as failed:
        FAILURES.append(repr(failed)[:200])
        return -1.0
    latency = (asyncio.get_running_loop().time() - scheduled) * 1000
    if not 200 <= status < 300:
        FAILURES.append(f"{status}: {answer[:200]!r}")
        return -1.0
    return latency


class Connections:
    """A pool of keep-alive HTTP/1.1 connections speaking just enough HTTP."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        """POST on an idle connection; a connection the server closed while it
        sat idle (keep-alive timeout) is replaced once, the request unsent."""
        for attempt in (1, 2):
            reused = bool(self.idle)
            reader, writer = self.idle.pop() if reused else \
                await asyncio.open_connection(self.host, self.port)
            head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
            writer.write(f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Type: "
                         f"application/json\r\nContent-Length: {len(body)}\r\n{head}\r\n"
                         .encode() + body)
            status_line = await reader.readline()
            if not status_line:
                writer.close()
                if reused and attempt == 1:
                    continue
                raise ConnectionError("the server closed the connection")
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            answer = await reader.readexactly(length)
            self.idle.append((reader, writer))
            return int(status_line.split()[1]), answer
        raise ConnectionError("unreachable")

    async def close(self) -> None:
        for _, writer in self.idle:
            writer.close()
        self.idle.clear()


@contextmanager
def peak_rss(process: psutil.Process) -> Iterator[Callable[[], int]]:
    """Sample the process's resident memory every 20 ms while the block runs."""
    peak = [process.memory_info().rss]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            try:
                peak[0] = max(peak[0], process.memory_info().rss)
            except psutil.Error:
                return
            stop.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield lambda: peak[0]
    finally:
        stop.set()
        sampler.join()


# --- report ----------------------------------------------------------------------

def ratios(figures: dict[str, Any]) -> dict[str, Any]:
    base = figures["baselines"]
    out: dict[str, Any] = {}
    for backend in ("sqlite", "postgresql"):
        result = figures.get(backend)
        if not result:
            continue
        out[backend] = {
            "batched_vs_alertmanager": _ratio(result["batched_alerts_per_s"],
                                              base["alertmanager_alerts_per_s"]),
            "single_vs_alertmanager": _ratio(result["single_requests_per_s"],
                                             base["alertmanager_single_requests_per_s"]),
            "single_vs_minimal_asgi": _ratio(result["single_requests_per_s"],
                                             base["minimal_asgi_insert_requests_per_s"])}
    return out


def goals_met(figures: dict[str, Any]) -> dict[str, bool]:
    result, ratio = figures["sqlite"], figures["ratios"]["sqlite"]
    return {"batched_alerts_per_s": result["batched_alerts_per_s"] >= GOALS[
                "batched_alerts_per_s"],
            "batched_ratio": ratio["batched_vs_alertmanager"] >= GOALS["batched_ratio"],
            "single_requests_per_s": result["single_requests_per_s"] >= GOALS[
                "single_requests_per_s"],
            "single_ratio": ratio["single_vs_alertmanager"] >= GOALS["single_ratio"],
            "p99_ms": result["p99_ms"] < GOALS["p99_ms"],
            "peak_rss_mb": result["peak_rss_mb"] < GOALS["peak_rss_mb"],
            "storm_exact": bool(result["storm_ok"])}


def print_table(figures: dict[str, Any]) -> None:
    base = figures["baselines"]
    backends = [b for b in ("sqlite", "postgresql") if figures.get(b)]
    storm, groups = figures["sqlite"]["storm_sent"], figures["sqlite"]["storm_groups"]
    rows = [
        ("Alertmanager webhooks, 50 alerts each (alerts/s)", "batched_alerts_per_s", "{:,.0f}"),
        ("single generic posts (requests/s)", "single_requests_per_s", "{:,.0f}"),
        (f"latency at {PACED_RATE} requests/s, p50 (ms)", "p50_ms", "{:.1f}"),
        (f"latency at {PACED_RATE} requests/s, p99 (ms)", "p99_ms", "{:.1f}"),
        ("  as the server measured it: p50 at most (ms)", "server_p50_ms_at_most", "{:.1f}"),
        ("  as the server measured it: p99 at most (ms)", "server_p99_ms_at_most", "{:.1f}"),
        (f"storm: {storm:,} alerts / {groups} groups, seconds", "storm_seconds", "{:.1f}"),
        (f"storm: incidents (must be {groups})", "storm_incidents", "{}"),
        (f"storm: stored alerts (must be {storm:,})", "storm_alerts", "{:,}"),
        ("storm: server peak RSS (MB)", "peak_rss_mb", "{:.0f}"),
    ]
    mode = "quick" if figures["quick"] else "full"
    print(f"\nalert intake benchmark ({mode}, {figures['cpus']} CPUs)\n")
    print(f"{'':52s}" + "".join(f"{b:>14s}" for b in backends))
    for label, key, fmt in rows:
        print(f"{label:52s}" + "".join(f"{fmt.format(figures[b][key]):>14s}" for b in backends))
    for name, label in (("batched_vs_alertmanager", "batched vs Alertmanager"),
                        ("single_vs_alertmanager", "single vs Alertmanager"),
                        ("single_vs_minimal_asgi", "single vs minimal ASGI insert")):
        print(f"{'ratio: ' + label:52s}" + "".join(
            f"{figures['ratios'][b][name] * 100:>13.0f}%" for b in backends))
    print(f"\nbaselines: Alertmanager POST /api/v2/alerts "
          f"{base['alertmanager_alerts_per_s']:,.0f} alerts/s (50 per request), "
          f"{base['alertmanager_single_requests_per_s']:,.0f} requests/s (1 per request); "
          f"minimal ASGI + SQLite insert "
          f"{base['minimal_asgi_insert_requests_per_s']:,.0f} requests/s")
    missed = [name for name, ok in figures["goals_met"].items() if not ok]
    print("goals (SQLite): " + ("all met" if not missed else "missed: " + ", ".join(missed)))


def percentile(values: list[float], pct: float) -> float:
    good = sorted(v for v in values if v >= 0)
    if not good:
        return float("nan")
    return round(good[min(len(good) - 1, int(len(good) * pct / 100))], 2)


def _ratio(value: float, base: float) -> float:
    return round(value / base, 3) if base else 0.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check: Callable[[], bool], *, what: str, process: subprocess.Popen[bytes],
               timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start within {timeout}s")
        time.sleep(0.1)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code < 500
    except httpx.HTTPError:
        return False


if __name__ == "__main__":
    main()
