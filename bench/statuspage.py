"""Status page under a spike: a real ``warroom serve`` (SQLite) next to nginx
serving the very same bytes as static files, in the same run.

For the public HTML page and ``/api/v2/summary.json`` it measures:

- throughput and latency with ``wrk`` (same settings for both servers, in
  alternating rounds), and warroom's share of nginx's requests/s (the median
  of the rounds' ratios: other work on the machine moves both numbers);
- latency at a fixed 5,000 requests/s with a paced, open-loop load generator
  written here (asyncio on uvloop; each request has a scheduled send time and
  its latency counts from that time, so a stalled server cannot hide its
  queue, as in wrk2), against warroom and, as the baseline of the same
  machine at the same moment, against nginx;
- the server's resident memory during the load (psutil).

Usage: ``python bench/statuspage.py [--quick]``. The last line printed is one
JSON object with every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psutil

SURFACES = {"html": "/status", "summary": "/api/v2/summary.json"}
SEED_STATUS = {"status": "degraded",
               "message": "We are experiencing elevated error rates and investigating the issue.",
               "components": {"chat": "operational", "media": "degraded",
                              "authentication": "operational"}}
GOALS = {"ratio": 0.30, "paced_p99_ms": 10.0, "rss_mb": 200.0}


@dataclass
class Plan:
    rounds: int
    seconds: int
    warmup: int
    connections: int
    paced_rounds: int
    paced_seconds: float
    paced_rate: int
    paced_connections: int


PLANS = {
    "quick": Plan(rounds=2, seconds=3, warmup=1, connections=64, paced_rounds=1,
                  paced_seconds=2.5, paced_rate=5000, paced_connections=50),
    "full": Plan(rounds=5, seconds=10, warmup=3, connections=64, paced_rounds=5,
                 paced_seconds=5, paced_rate=5000, paced_connections=50),
}


@dataclass
class WrkResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


@dataclass
class PacedResult:
    target_rate: int
    achieved_rate: float
    p50_ms: float
    p99_ms: float
    """Over every request of every round."""
    max_ms: float
    errors: int
    p99_rounds_ms: list[float]
    p99_median_round_ms: float
    """The median of the rounds' p99s: one stall of the machine (other work
    on the same two cores) spoils one round, not the figure."""


@dataclass
class Report:
    mode: str
    machine: dict[str, object]
    bytes: dict[str, int]
    wrk: dict[str, dict[str, WrkResult]] = field(default_factory=dict)
    """Per surface and server: the median round."""
    ratio: dict[str, float] = field(default_factory=dict)
    ratio_rounds: dict[str, list[float]] = field(default_factory=dict)
    paced: dict[str, dict[str, PacedResult]] = field(default_factory=dict)
    rss_mb: dict[str, float] = field(default_factory=dict)
    goals_met: dict[str, bool] = field(default_factory=dict)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="reduced run, under a minute")
    mode = "quick" if parser.parse_args().quick else "full"
    plan = PLANS[mode]
    for tool in ("wrk", "nginx"):
        if shutil.which(tool) is None and not Path(f"/usr/sbin/{tool}").exists():
            sys.exit(f"{tool} is needed (Debian: apt-get install {tool})")
    with tempfile.TemporaryDirectory(prefix="warroom-bench-") as scratch:
        report = run(Path(scratch), plan, mode)
    print_table(report, plan)
    print(json.dumps(asdict(report), separators=(",", ":")))


def run(scratch: Path, plan: Plan, mode: str) -> Report:
    warroom = start_warroom(scratch)
    nginx = None
    try:
        prepare_page(warroom.url, warroom.token)
        bodies = {name: fetch(warroom.url + path) for name, path in SURFACES.items()}
        nginx = start_nginx(scratch, bodies)
        report = Report(mode=mode, bytes={k: len(v) for k, v in bodies.items()},
                        machine={"cpus": os.cpu_count(), "load_before": os.getloadavg()[0]})
        memory = MemoryWatch(warroom.process.pid)
        report.rss_mb["idle"] = memory.sample()
        servers = (("nginx", nginx), ("warroom", warroom))
        with memory:
            for name, path in SURFACES.items():
                measure_throughput(report, name, [(n, s.url + path) for n, s in servers], plan)
            for name, path in SURFACES.items():
                report.paced[name] = measure_paced([(n, s.port) for n, s in servers], path,
                                                   plan)
        report.rss_mb["peak_under_load"] = memory.peak
        worst_p99 = max(p["warroom"].p99_median_round_ms for p in report.paced.values())
        report.goals_met = {"ratio": min(report.ratio.values()) >= GOALS["ratio"],
                            "paced_p99_ms": worst_p99 < GOALS["paced_p99_ms"],
                            "rss_mb": memory.peak < GOALS["rss_mb"]}
        return report
    finally:
        if nginx is not None:
            nginx.stop()
        warroom.stop()


@dataclass
class Server:
    url: str
    port: int
    process: subprocess.Popen[bytes]
    token: str = ""

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_warroom(scratch: Path) -> Server:
    """``warroom serve`` on a fresh SQLite file and a free port."""
    port = free_port()
    env = {**os.environ, "WARROOM_DATABASE_URL": f"sqlite:///{scratch}/warroom.db",
           "WARROOM_DATA_DIR": str(scratch / "var"), "WARROOM_HOST": "127.0.0.1",
           "WARROOM_PORT": str(port), "WARROOM_LOG_LEVEL": "warning"}
    command = [str(Path(sys.executable).with_name("warroom")), "serve"]
    if not Path(command[0]).exists():
        command = [sys.executable, "-c", "from warroom.cli import main; main()", "serve"]
    log = (scratch / "warroom.log").open("wb")
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=log)
    server = Server(f"http://127.0.0.1:{port}", port, process)
    server.token = read_token(process)
    wait_until_up(server.url + "/health", process)
    return server


def read_token(process: subprocess.Popen[bytes]) -> str:
    """The admin token ``warroom serve`` writes to a file on first start (it
    prints the file's path, not the token, when its output is not a terminal)."""
    assert process.stdout is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = process.stdout.readline().decode()
        if not line and process.poll() is not None:
            sys.exit("warroom serve exited before printing its admin token")
        if match := re.search(r"admin API token written to (\S+)", line):
            threading.Thread(target=process.stdout.read, daemon=True).start()  # drain
            return Path(match.group(1)).read_text().strip()
    sys.exit("warroom serve did not print an admin token")


def prepare_page(base: str, token: str) -> None:
    """A page worth reading: the seed's status update and a maintenance window."""
    headers = {"Authorization": f"Bearer {token}"}
    answer = httpx.post(f"{base}/api/v1/admin/status", json=SEED_STATUS, headers=headers)
    answer.raise_for_status()
    start = datetime.now(UTC) + timedelta(days=1)
    answer = httpx.post(f"{base}/api/v1/statuspage/maintenances", headers=headers, json={
        "name": "Database upgrade", "components": ["chat", "media"],
        "scheduled_for": start.isoformat(), "scheduled_until": (
            start + timedelta(hours=2)).isoformat()})
    answer.raise_for_status()


def start_nginx(scratch: Path, bodies: dict[str, bytes]) -> Server:
    """nginx (one worker, in the foreground) serving the same bytes as files."""
    root = scratch / "www"
    scratch.chmod(0o755)  # nginx's worker may run as another user (nobody)
    (root / "api" / "v2").mkdir(parents=True)
    (root / "status").write_bytes(bodies["html"])
    (root / "api" / "v2" / "summary.json").write_bytes(bodies["summary"])
    port = free_port()
    conf = scratch / "nginx.conf"
    conf.write_text(NGINX_CONF.format(scratch=scratch, root=root, port=port))
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    process = subprocess.Popen([binary, "-p", str(scratch), "-c", str(conf), "-e",
                                str(scratch / "nginx-error.log")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = Server(f"http://127.0.0.1:{port}", port, process)
    wait_until_up(server.url + "/status", process)
    return server


NGINX_CONF = """
daemon off;
worker_processes 1;
pid {scratch}/nginx.pid;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path {scratch}/tmp-body;
  proxy_temp_path {scratch}/tmp-proxy;
  fastcgi_temp_path {scratch}/tmp-fastcgi;
  uwsgi_temp_path {scratch}/tmp-uwsgi;
  scgi_temp_path {scratch}/tmp-scgi;
  server {{
    listen 127.0.0.1:{port};
    root {root};
    location = /status {{ default_type "text/html; charset=utf-8"; }}
    location = /api/v2/summary.json {{ default_type application/json; }}
  }}
}}
"""


def measure_throughput(report: Report, surface: str, targets: list[tuple[str, str]],
                       plan: Plan) -> None:
    """Alternate the servers round by round; keep each one's median round and
    the median of the rounds' warroom/nginx ratios."""
    for _, url in targets:
        wrk(url, plan.warmup, plan.connections)
    rounds: dict[str, list[WrkResult]] = {server: [] for server, _ in targets}
    for _ in range(plan.rounds):
        for server, url in targets:
            rounds[server].append(wrk(url, plan.seconds, plan.connections))
    ratios = [w.requests_per_second / n.requests_per_second
              for w, n in zip(rounds["warroom"], rounds["nginx"], strict=True)]
    report.ratio_rounds[surface] = [round(r, 3) for r in ratios]
    report.ratio[surface] = round(statistics.median(ratios), 3)
    report.wrk[surface] = {server: sorted(results, key=lambda r: r.requests_per_second)[
        len(results) // 2] for server, results in rounds.items()}


def wrk(url: str, seconds: int, connections: int, *,
        headers: dict[str, str] | None = None) -> WrkResult:
    """One wrk run (one thread: on two cores the client must leave one core
    to the server; the same settings are used for both servers)."""
    sent = [f"-H{name}: {value}" for name, value in (headers or {}).items()]
    output = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency",
                             *sent, url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return WrkResult(requests_per_second=round(rate, 1),
                     p50_ms=_duration_ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1)),
                     p99_ms=_duration_ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1)),
                     errors=errors + (int(non_2xx.group(1)) if non_2xx else 0))


def _duration_ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\D+)", text).groups()
    return round(float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit], 3)


def measure_paced(targets: list[tuple[str, int]], path: str,
                  plan: Plan) -> dict[str, PacedResult]:
    """Open-loop load at a fixed rate, the servers alternating round by round."""
    try:
        import uvloop

        runner = uvloop.run
    except ImportError:
        runner = asyncio.run
    rounds: dict[str, list[tuple[list[float], int, float]]] = {n: [] for n, _ in targets}
    for _ in range(plan.paced_rounds):
        for server, port in targets:
            rounds[server].append(runner(_paced(port, path, plan)))
    return {server: _summarise(results, plan) for server, results in rounds.items()}


def _summarise(rounds: list[tuple[list[float], int, float]], plan: Plan) -> PacedResult:
    every = sorted(latency for latencies, _, _ in rounds for latency in latencies)
    per_round = [_quantile(sorted(latencies), 0.99) for latencies, _, _ in rounds]
    return PacedResult(
        target_rate=plan.paced_rate,
        achieved_rate=round(len(every) / sum(elapsed for _, _, elapsed in rounds), 1),
        p50_ms=_quantile(every, 0.5), p99_ms=_quantile(every, 0.99),
        max_ms=round(every[-1] * 1000, 3) if every else -1.0,
        errors=sum(errors for _, errors, _ in rounds), p99_rounds_ms=per_round,
        p99_median_round_ms=round(statistics.median(per_round), 3))


def _quantile(ordered: list[float], q: float) -> float:
    """In milliseconds, from seconds sorted ascending."""
    if not ordered:
        return -1.0
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000, 3)


async def _paced(port: int, path: str, plan: Plan) -> tuple[list[float], int, float]:
    request = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
               "User-Agent: warroom-bench\r\n\r\n").encode()
    interval = plan.paced_connections / plan.paced_rate
    loop = asyncio.get_running_loop()
    connections = await asyncio.gather(*(loop.create_connection(Reader, "127.0.0.1", port)
                                         for _ in range(plan.paced_connections)))
    clock = time.perf_counter  # uvloop's loop.time() is cached per loop turn, in whole ms
    start = clock() + 0.05  # every connection is open before the clock starts
    end = start + plan.paced_seconds
    latencies: list[float] = []
    errors = 0

    async def send_on(transport: asyncio.Transport, reader: Reader, offset: float) -> None:
        nonlocal errors
        due = start + offset
        while due < end:
            delay = due - clock()
            if delay > 0:
                await asyncio.sleep(delay)
            if transport.is_closing():  # the server ended keep-alive: reconnect, on the clock
                transport, reader = await loop.create_connection(Reader, "127.0.0.1", port)
            reader.expect()
            transport.write(request)
            status = await reader.done
            if status == 200:
                latencies.append(clock() - due)
            else:
                errors += 1
            due += interval
        transport.close()

    gc.disable()  # a collection pause here would be charged to the server
    try:
        await asyncio.gather(*(send_on(transport, reader, i * interval / len(connections))
                               for i, (transport, reader) in enumerate(connections)))
    finally:
        gc.enable()
    return latencies, errors, max(clock() - start, 1e-9)


class Reader(asyncio.Protocol):
    """Reads one HTTP/1.1 response at a time (Content-Length framed), keeping
    only the head: the body is counted, not copied."""

    def __init__(self) -> None:
        self.expect()

    def expect(self) -> None:
        self.head = b""
        self.status = 0
        self.remaining: int | None = None
        self.done: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    def data_received(self, data: bytes) -> None:
        if self.remaining is None:
            self.head += data
            end = self.head.find(b"\r\n\r\n")
            if end < 0:
                return
            length = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", self.head[:end])
            self.status = int(self.head[9:12])
            self.remaining = (int(length.group(1)) if length else 0) - (len(self.head) - end - 4)
        else:
            self.remaining -= len(data)
        if self.remaining <= 0 and not self.done.done():
            self.done.set_result(self.status)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done.done():
            self.done.set_result(0)


class MemoryWatch:
    """Samples a process's resident memory every 100 ms while in use."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def sample(self) -> float:
        return round(self.process.memory_info().rss / 2**20, 1)

    def __enter__(self) -> MemoryWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _watch(self) -> None:
        while not self._stop.wait(0.1):
            self.peak = max(self.peak, self.sample())


def print_table(report: Report, plan: Plan) -> None:
    load = report.machine["load_before"]
    print(f"\nstatus page benchmark ({report.mode}): wrk -t1 -c{plan.connections}, "
          f"{plan.rounds} alternating rounds of {plan.seconds}s, loopback, "
          f"{report.machine['cpus']} cores, load average before {load:.2f}")
    print(f"{'surface':<22}{'bytes':>7}  {'server':<8}{'req/s':>10}{'p50 ms':>9}"
          f"{'p99 ms':>9}{'errors':>8}{'vs nginx':>10}")
    for name, path in SURFACES.items():
        for server in ("nginx", "warroom"):
            result = report.wrk[name][server]
            ratio = f"{report.ratio[name]:.0%}" if server == "warroom" else ""
            print(f"{path:<22}{report.bytes[name]:>7}  {server:<8}"
                  f"{result.requests_per_second:>10.0f}{result.p50_ms:>9.2f}"
                  f"{result.p99_ms:>9.2f}{result.errors:>8}{ratio:>10}")
    print(f"\nfixed {plan.paced_rate} req/s, {plan.paced_rounds} alternating round(s) of "
          f"{plan.paced_seconds}s ({plan.paced_connections} connections, paced open loop):")
    for name, path in SURFACES.items():
        for server, result in report.paced[name].items():
            print(f"{path:<22}{server:<9}achieved {result.achieved_rate:>6.0f}/s  "
                  f"p50 {result.p50_ms:6.2f} ms  p99 {result.p99_ms:6.2f} ms (median round "
                  f"{result.p99_median_round_ms:6.2f})  max {result.max_ms:7.2f} ms  "
                  f"errors {result.errors}")
    print(f"\nwarroom server RSS: {report.rss_mb['idle']} MB idle, "
          f"{report.rss_mb['peak_under_load']} MB peak under load")
    goals = ", ".join(f"{k} {'met' if v else 'MISSED'}" for k, v in report.goals_met.items())
    print(f"goals (>= 30% of nginx, median-round p99 < 10 ms at 5,000 req/s, RSS < 200 MB): "
          f"{goals}\n")


def fetch(url: str) -> bytes:
    answer = httpx.get(url, headers={"Accept-Encoding": "identity"})
    answer.raise_for_status()
    return answer.content


def wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"server for {url} exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    sys.exit(f"{url} did not come up")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


if __name__ == "__main__":
    main()
