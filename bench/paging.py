"""How fast does a page reach a person, and how late do escalation timers fire?

Starts a throwaway PostgreSQL cluster (or uses WARROOM_BENCH_PG_URL), one
``warroom serve --no-worker`` and one ``warroom worker`` process, and a local
webhook receiver standing in for the person's phone. Then measures:

1. page latency at idle: an Alertmanager webhook (one new alert group, so one
   new Sev1 incident) is POSTed; the clock runs until the page for that
   incident arrives at the receiver;
2. the same during a storm of N alerts (each a new incident that pages too),
   driven by wrk, while probes keep measuring;
3. timer lag: N open incidents escalating at once, their second step due one
   after another over a window; lag = when the step fired minus when it was due;
4. the floor: the same receiver hit directly by an HTTP client;
5. peak resident memory of the server plus the worker.

Prints a table; the last line is one JSON object with every figure.
``--quick`` runs a reduced version in under a minute.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import psutil

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

ROOT = Path(__file__).resolve().parents[1]
WARROOM = str(Path(sys.executable).parent / "warroom")
SECRET = "bench-secret-key-not-for-production"
STORM_TITLE = "WebSocket service down (storm-"
GOALS = {"idle_p99_ms": 100.0, "storm_p99_ms": 1000.0, "timer_lag_p99_ms": 250.0,
         "peak_rss_mb": 300.0}


@dataclass
class Sizes:
    storm_alerts: int
    storm_groups: int
    """The storm's alerts come from this many services (alert groups), so it
    opens this many incidents and attaches every other alert to them."""
    lag_incidents: int
    idle_probes: int
    floor_requests: int
    lag_delay_seconds: int
    """Margin between the last declaration and the first second step."""

    @classmethod
    def of(cls, quick: bool) -> Sizes:
        if quick:
            return cls(storm_alerts=600, storm_groups=30, lag_incidents=60, idle_probes=15,
                       floor_requests=300, lag_delay_seconds=2)
        return cls(storm_alerts=10_000, storm_groups=200, lag_incidents=10_000,
                   idle_probes=100, floor_requests=2_000, lag_delay_seconds=10)


# --- the receiver: the person's phone ------------------------------------------

class Receiver:
    """Records when each page arrived, keyed by the incident's title."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.count = 0
        self.lock = threading.Lock()
        self.waiters: dict[str, threading.Event] = {}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                at = time.monotonic()
                self.send_response(200)
                self.send_header("content-length", "0")
                self.end_headers()
                outer.record(body, at)

            def log_message(self, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.request_queue_size = 512
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def record(self, body: bytes, at: float) -> None:
        try:
            title = json.loads(body).get("incident", {}).get("title", "")
        except ValueError:
            title = ""
        with self.lock:
            self.count += 1
            if title and title not in self.arrived:
                self.arrived[title] = at
                waiter = self.waiters.pop(title, None)
                if waiter:
                    waiter.set()

    def storm_pages(self) -> int:
        with self.lock:
            return sum(1 for title in self.arrived if title.startswith(STORM_TITLE))

    def expect(self, title: str) -> threading.Event:
        with self.lock:
            event = threading.Event()
            if title in self.arrived:
                event.set()
            else:
                self.waiters[title] = event
            return event


# --- the system under test ---------------------------------------------------------

@dataclass
class System:
    url: str
    database_url: str
    token: str
    env: dict[str, str]
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    peak_rss: float = 0.0

    def rss_mb(self) -> float:
        total = 0
        for process in self.processes:
            with suppress(psutil.Error):
                total += psutil.Process(process.pid).memory_info().rss
        return total / 2**20

    def sample_memory(self, stop: threading.Event) -> None:
        while not stop.wait(0.2):
            self.peak_rss = max(self.peak_rss, self.rss_mb())


@contextmanager
def postgres(workdir: Path) -> Iterator[str]:
    given = os.environ.get("WARROOM_BENCH_PG_URL")
    if given:
        yield given
        return
    cluster = workdir / "pg"
    url = subprocess.check_output([str(ROOT / "scripts" / "pg-cluster.sh"), "start",
                                   str(cluster)], text=True).strip()
    try:
        yield url
    finally:
        subprocess.run([str(ROOT / "scripts" / "pg-cluster.sh"), "stop", str(cluster)],
                       check=False)


@contextmanager
def warroom(database_url: str, workdir: Path) -> Iterator[System]:
    """``warroom serve --no-worker`` (which migrates) and one ``warroom worker``."""
    port = free_port()
    env = {**os.environ, "WARROOM_DATABASE_URL": database_url, "WARROOM_SECRET_KEY": SECRET,
           "WARROOM_DATA_DIR": str(workdir / "var"), "WARROOM_PORT": str(port),
           "WARROOM_LOG_LEVEL": "warning", "WARROOM_TOKEN_CACHE_SECONDS": "30",
           "WARROOM_OUTBOUND_ALLOW": "127.0.0.1"}  # the page receiver listens on loopback
    env.pop("WARROOM_FAKE_TIME_FILE", None)
    system = System(url=f"http://127.0.0.1:{port}", database_url=database_url, token="",
                    env=env)
    logs = (workdir / "server.log").open("wb"), (workdir / "worker.log").open("wb")
    system.processes.append(subprocess.Popen([WARROOM, "serve", "--no-worker"], env=env,
                                             stdout=logs[0], stderr=subprocess.STDOUT))
    try:
        wait_for(lambda: _healthy(system.url), "the server to start", 120)
        system.processes.append(subprocess.Popen([WARROOM, "worker"], env=env, stdout=logs[1],
                                                 stderr=subprocess.STDOUT))
        system.token = subprocess.check_output(
            [WARROOM, "token", "create", "--name", "bench", "--role", "admin"], env=env,
            text=True).strip().splitlines()[-1]
        say(f"warroom is up at {system.url}")
        yield system
    finally:
        for process in system.processes:
            process.terminate()
        for process in system.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def organise(system: System, receiver: Receiver) -> None:
    """Everyone on the sev1 policy, reached by webhook; the seed's routing rule
    sends WebSocketServiceDown alerts to the sev1 policy."""
    with client(system) as http:
        for username, position in (("oce", "on_call_engineer"), ("lead", "team_lead"),
                                   ("em", "engineering_manager"), ("vp", "vp_engineering"),
                                   ("cto", "cto")):
            check(http.post("/api/v1/users", json={"username": username,
                                                   "role": "responder"}))
            check(http.post(f"/api/v1/oncall/people/{username}/contact-methods",
                            json={"kind": "webhook", "address": f"{receiver.url}/{username}",
                                  "secret": "bench-webhook-signing-secret"}))
            check(http.put(f"/api/v1/oncall/positions/{position}",
                           json={"targets": [{"user": username}]}))


# --- measurements -------------------------------------------------------------

def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def alert_body(job: str) -> bytes:
    return json.dumps({"version": "4", "status": "firing", "receiver": "warroom", "alerts": [{
        "status": "firing", "labels": {"alertname": "WebSocketServiceDown", "job": job,
                                       "severity": "critical"},
        "annotations": {"summary": f"{job} is down"}, "startsAt": "2026-01-01T00:00:00Z",
        "fingerprint": job}]}).encode()


def probe(http: httpx.Client, receiver: Receiver, job: str, timeout: float = 30.0,
          answered: list[float] | None = None) -> float:
    """Milliseconds from sending the alert to its page arriving at the receiver
    (and, into ``answered``, until the API answered)."""
    arrived = receiver.expect(f"WebSocket service down ({job})")
    started = time.monotonic()
    answer = http.post("/api/v1/alerts/alertmanager", content=alert_body(job),
                       headers={"content-type": "application/json"})
    check(answer)
    if answered is not None:
        answered.append((time.monotonic() - started) * 1000)
    if not arrived.wait(timeout):
        raise RuntimeError(f"no page arrived for {job} within {timeout}s")
    return (receiver.arrived[f"WebSocket service down ({job})"] - started) * 1000


def measure_idle(system: System, receiver: Receiver,
                 count: int) -> tuple[list[float], list[float]]:
    with client(system) as http:
        probe(http, receiver, "warmup-0")
        samples: list[float] = []
        answered: list[float] = []
        for number in range(count):
            samples.append(probe(http, receiver, f"idle-{number}", answered=answered))
            time.sleep(0.02)
        return samples, answered


def measure_storm(system: System, receiver: Receiver, sizes: Sizes,
                  workdir: Path) -> tuple[list[float], dict[str, float]]:
    """wrk sends ``storm_alerts`` Alertmanager webhooks from ``storm_groups``
    services while probes (each a new service, so a new incident) keep
    measuring the time to page."""
    alerts = sizes.storm_alerts
    script = workdir / "storm.lua"
    script.write_text(STORM_LUA.replace("TOKEN", system.token)
                      .replace("LIMIT", str(alerts // 2))
                      .replace("GROUPS", str(sizes.storm_groups)))
    with client(system) as http:
        before = _stored_alerts(http)
        started = time.monotonic()
        wrk = subprocess.Popen(["wrk", "-t2", "-c8", "-d3600s", "-s", str(script),
                                f"{system.url}/api/v1/alerts/alertmanager"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        samples: list[float] = []
        stored = 0
        while stored < alerts and wrk.poll() is None:
            samples.append(probe(http, receiver, f"probe-{len(samples)}", timeout=120))
            stored = _stored_alerts(http) - before - len(samples)
            time.sleep(0.05)
        accepted_in = time.monotonic() - started
        wrk.send_signal(signal.SIGINT)
        output = wrk.communicate(timeout=30)[0]
    wait_for(lambda: receiver.storm_pages() >= sizes.storm_groups, "the storm's pages", 600)
    return samples, {"storm_alerts": alerts, "storm_groups": sizes.storm_groups,
                     "storm_seconds": round(accepted_in, 2),
                     "storm_alerts_per_second": round(alerts / accepted_in, 1),
                     "storm_non_2xx": _wrk_errors(output)}


def _stored_alerts(http: httpx.Client) -> int:
    return int(check(http.get("/api/v1/alerts", params={"limit": 1})).json()["total"])


def measure_timer_lag(system: System, receiver: Receiver, sizes: Sizes,
                      workdir: Path) -> tuple[list[float], dict[str, float]]:
    """N incidents escalate with a two-step policy whose second step falls due
    after every incident is declared: their N second steps then come due one
    after another (as fast as the incidents were declared) while all N are
    open, and nothing else loads the system. Lag = fired_at - due_at."""
    sample = max(20, sizes.lag_incidents // 20)
    _put_lag_policy(system, "bench-warmup", 3600)
    started = time.monotonic()
    _declare_many(system, sample, "bench-warmup", workdir)
    per_incident = (time.monotonic() - started) / sample
    delay = round(per_incident * sizes.lag_incidents * 1.2 + sizes.lag_delay_seconds)
    _put_lag_policy(system, "bench-lag", delay)
    started = time.monotonic()
    declared = _declare_many(system, sizes.lag_incidents, "bench-lag", workdir)
    declare_seconds = time.monotonic() - started
    rows = wait_for(lambda: _fired_steps(system, sizes.lag_incidents), "second steps to fire",
                    delay + 600)
    lags = [(fired - due) * 1000 for due, fired in rows]
    return lags, {"lag_incidents": declared, "lag_declare_seconds": round(declare_seconds, 2),
                  "lag_steps_per_second": round(declared / max(declare_seconds, 0.001), 1),
                  "lag_step_delay_seconds": delay}


def _put_lag_policy(system: System, name: str, delay_seconds: int) -> None:
    policy = {"name": name, "steps": [
        {"targets": [{"user": "oce"}], "delay": f"{delay_seconds}s"},
        {"targets": [{"user": "lead"}], "delay": "1h"}]}
    with client(system) as http:
        check(http.put(f"/api/v1/oncall/policies/{name}", json=policy))


def measure_floor(receiver: Receiver, count: int) -> list[float]:
    body = json.dumps({"event": "page", "incident": {"title": "floor"}}).encode()
    samples = []
    with httpx.Client(base_url=receiver.url) as http:
        for _ in range(count):
            started = time.monotonic()
            http.post("/floor", content=body, headers={"content-type": "application/json"})
            samples.append((time.monotonic() - started) * 1000)
    return samples


# --- helpers ----------------------------------------------------------------------

STORM_LUA = """
-- thread_id is a global that setup() sets in each thread's own Lua state
thread_id = 0
local counter = 0
local sent = 0
local threads = 0

function setup(thread)
  thread:set("thread_id", threads)
  threads = threads + 1
end

function request()
  counter = counter + 1
  local job = "storm-" .. (counter % GROUPS)
  local instance = "node-" .. thread_id .. "-" .. counter
  local body = '{"version":"4","status":"firing","receiver":"warroom","alerts":[' ..
    '{"status":"firing","labels":{"alertname":"WebSocketServiceDown","job":"' .. job ..
    '","instance":"' .. instance .. '","severity":"critical"},' ..
    '"annotations":{"summary":"storm"},"startsAt":"2026-01-01T00:00:00Z",' ..
    '"fingerprint":"' .. instance .. '"}]}'
  return wrk.format("POST", nil, {["Content-Type"] = "application/json",
                                  ["Authorization"] = "Bearer TOKEN"}, body)
end

function response(status, headers, body)
  sent = sent + 1
  if sent >= LIMIT then wrk.thread:stop() end
end
"""


DECLARE_SCRIPT = """
import sys
from warroom import registry
from warroom.db import SYSTEM, get_database
from warroom.incidents import service as incidents
registry.connect_all()
database = get_database()
count, policy = int(sys.argv[1]), sys.argv[2]
for start in range(0, count, 50):
    with database.unit_of_work(SYSTEM) as uow:
        for number in range(start, min(start + 50, count)):
            incidents.declare(uow, declaration=incidents.Declaration(
                type="third_party", severity="sev3", title=f"{policy}-{number}",
                context={"escalation_policy": policy}))
print(count)
"""


def _declare_many(system: System, count: int, policy: str, workdir: Path) -> int:
    """Declare through the service layer in batches (faster than HTTP, the same
    code path after the route)."""
    script = workdir / "declare.py"
    script.write_text(DECLARE_SCRIPT)
    output = subprocess.check_output([sys.executable, str(script), str(count), policy],
                                     env=system.env, text=True)
    return int(output.strip().splitlines()[-1])


def _fired_steps(system: System, expected: int) -> list[tuple[float, float]] | None:
    import sqlalchemy as sa

    engine = sa.create_engine(system.database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT extract(epoch FROM t.due_at), extract(epoch FROM t.fired_at) "
                "FROM oncall_timers t JOIN oncall_escalations e ON e.id = t.escalation_id "
                "WHERE e.policy_name = 'bench-lag' AND t.kind = 'step' AND t.status = 'fired' "
                "AND t.generation = e.generation AND e.step_index = 2")).all()
    finally:
        engine.dispose()
    fired = [(float(due), float(at)) for due, at in rows if at is not None]
    # the first step fires inline at declaration; its timer row is the second step's
    return fired if len(fired) >= expected else None


def _wrk_errors(output: str) -> int:
    for line in output.splitlines():
        if "Non-2xx" in line:
            return int(line.split()[-1])
    return 0


@contextmanager
def client(system: System) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=system.url, timeout=60,
                      headers={"authorization": f"Bearer {system.token}"}) as http:
        yield http


def check(answer: httpx.Response) -> httpx.Response:
    if answer.status_code >= 400:
        raise RuntimeError(f"{answer.request.method} {answer.request.url}: "
                           f"{answer.status_code} {answer.text[:300]}")
    return answer


def wait_for(condition: Callable[[], Any], what: str, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    raise RuntimeError(f"timed out waiting for {what}")


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(samples: list[float], q: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def summary(name: str, samples: list[float]) -> dict[str, float]:
    return {f"{name}_p50_ms": round(percentile(samples, 50), 2),
            f"{name}_p99_ms": round(percentile(samples, 99), 2),
            f"{name}_samples": len(samples),
            f"{name}_mean_ms": round(statistics.fmean(samples), 2) if samples else 0.0}


# --- main ----------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="reduced sizes, under a minute")
    args = parser.parse_args()
    # Stopped from outside: still stop the servers and the cluster we started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))
    if not shutil.which("wrk"):
        sys.exit("wrk is needed for the storm (make bench installs it)")
    sizes = Sizes.of(args.quick)
    figures: dict[str, Any] = {"mode": "quick" if args.quick else "full",
                               "path": "alertmanager"}
    with tempfile.TemporaryDirectory(prefix="warroom-bench-") as tmp:
        workdir = Path(tmp)
        os.chmod(workdir, 0o755)
        receiver = Receiver()
        with postgres(workdir) as database_url, warroom(database_url, workdir) as system:
            stop = threading.Event()
            threading.Thread(target=system.sample_memory, args=(stop,), daemon=True).start()
            organise(system, receiver)
            say("measuring the floor")
            figures.update(summary("floor", measure_floor(receiver, sizes.floor_requests)))
            say("measuring at idle")
            idle, answered = measure_idle(system, receiver, sizes.idle_probes)
            figures.update(summary("idle", idle))
            figures.update(summary("idle_api_answer", answered))
            say(f"storm of {sizes.storm_alerts} alerts from {sizes.storm_groups} services")
            storm, extra = measure_storm(system, receiver, sizes, workdir)
            figures.update(summary("storm", storm))
            figures.update(extra)
            say(f"timer lag with {sizes.lag_incidents} incidents")
            lags, extra = measure_timer_lag(system, receiver, sizes, workdir)
            figures.update(summary("timer_lag", lags))
            figures.update(extra)
            stop.set()
            figures["open_incidents"] = _open_incidents(system)
            figures["peak_rss_mb"] = round(max(system.peak_rss, system.rss_mb()), 1)
    figures["idle_p99_over_floor"] = round(figures["idle_p99_ms"] / figures["floor_p99_ms"], 1)
    figures["storm_p99_over_floor"] = round(figures["storm_p99_ms"] / figures["floor_p99_ms"],
                                            1)
    figures["goals_met"] = {key: figures[key] < goal for key, goal in GOALS.items()}
    print_table(figures)
    print(json.dumps(figures))


def _open_incidents(system: System) -> int:
    with client(system) as http:
        return int(check(http.get("/api/v1/incidents", params={"status": "open",
                                                               "limit": 1})).json()["total"])


def print_table(f: dict[str, Any]) -> None:
    rows = [
        ("floor: receiver hit directly", f["floor_p50_ms"], f["floor_p99_ms"], "-"),
        ("alert -> page, idle", f["idle_p50_ms"], f["idle_p99_ms"], "< 100 ms"),
        ("  of which the API answering the alert", f["idle_api_answer_p50_ms"],
         f["idle_api_answer_p99_ms"], "-"),
        (f"alert -> page, during a {f['storm_alerts']:,}-alert storm", f["storm_p50_ms"],
         f["storm_p99_ms"], "< 1 s"),
        (f"timer lag, {f['lag_incidents']:,} incidents escalating", f["timer_lag_p50_ms"],
         f["timer_lag_p99_ms"], "< 250 ms"),
    ]
    print(f"\npaging benchmark ({f['mode']}), PostgreSQL, 1 server + 1 worker process\n")
    print(f"{'measure':<46} {'p50 ms':>9} {'p99 ms':>9}  goal")
    for name, p50, p99, goal in rows:
        print(f"{name:<46} {p50:>9.1f} {p99:>9.1f}  {goal}")
    print(f"\nidle p99 / floor p99: {f['idle_p99_over_floor']}x; "
          f"storm p99 / floor p99: {f['storm_p99_over_floor']}x")
    print(f"storm: {f['storm_alerts']:,} alerts from {f['storm_groups']} services stored in "
          f"{f['storm_seconds']} s ({f['storm_alerts_per_second']} alerts/s), "
          f"{f['storm_non_2xx']} non-2xx answers")
    print(f"timer lag: {f['lag_incidents']:,} incidents declared in {f['lag_declare_seconds']} s;"
          f" their second steps fell due {f['lag_step_delay_seconds']} s after each, at "
          f"{f['lag_steps_per_second']}/s")
    print(f"peak RSS server + worker: {f['peak_rss_mb']} MB (goal < 300 MB) with "
          f"{f['open_incidents']:,} open incidents\n")


if __name__ == "__main__":
    main()
