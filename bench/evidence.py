"""Evidence locker benchmark.

Against a real ``warroom serve`` (SQLite), measures:

- the upload of one file through the API (a streamed multipart upload,
  hashed SHA-256 + SHA-1 + MD5 on the way to disk), in MB/s;
- the export of a bundle holding it (``POST .../evidence/export``, the
  signed zip streamed back), in MB/s;
- the server's peak resident memory growth over both (VmHWM from /proc).

The baseline, measured in the same run on the same disk: ``sha256sum`` of
the file plus ``cp`` of it (what a careful person would do by hand). Goals:
upload and export at least 50 % of the baseline's throughput, RSS growth
under 64 MB.

    python bench/evidence.py            # 1 GiB file
    python bench/evidence.py --quick    # 64 MiB file (< 1 minute)

The last line printed is one JSON object holding every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from collections.abc import Iterator

ROOT = Path(__file__).resolve().parents[1]
WARROOM = str(Path(sys.executable).with_name("warroom"))
CHUNK = 1 << 20
BOUNDARY = "warroom-bench-boundary"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def peak_rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def make_file(path: Path, size: int) -> None:
    block = os.urandom(CHUNK)
    with path.open("wb") as handle:
        for index in range(size // CHUNK):
            handle.write(index.to_bytes(8, "big") + block[8:])


def baseline(path: Path, work: Path) -> float:
    started = time.perf_counter()
    subprocess.run(["sha256sum", str(path)], check=True, capture_output=True)
    subprocess.run(["cp", str(path), str(work / "copy.bin")], check=True)
    subprocess.run(["sync"], check=True)
    seconds = time.perf_counter() - started
    (work / "copy.bin").unlink()
    return seconds


def body(path: Path) -> Iterator[bytes]:
    yield (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"metadata\"\r\n\r\n"
           '{"kind": "memory_image", "title": "bench"}\r\n'
           f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; "
           "filename=\"bench.mem\"\r\n\r\n").encode()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            yield chunk
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


def wait_healthy(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("warroom serve exited")
        try:
            if httpx.get(url + "/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("warroom serve did not become healthy")


def run(size: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(dir=ROOT / "bench") as folder:
        work = Path(folder)
        source = work / "source.bin"
        make_file(source, size)
        base_seconds = baseline(source, work)
        env = {**os.environ, "WARROOM_DATABASE_URL": f"sqlite:///{work}/w.db",
               "WARROOM_HOST": "127.0.0.1", "WARROOM_PORT": str(free_port()),
               "WARROOM_DATA_DIR": str(work / "var"), "WARROOM_LOG_LEVEL": "warning",
               "WARROOM_SECRET_KEY": "bench-secret-key-not-for-production"}
        subprocess.run([WARROOM, "migrate"], env=env, check=True, capture_output=True)
        token = subprocess.run([WARROOM, "token", "create", "--name", "b", "--role", "admin"],
                               env=env, check=True, capture_output=True, text=True
                               ).stdout.strip().splitlines()[-1]
        url = f"http://127.0.0.1:{env['WARROOM_PORT']}"
        headers = {"Authorization": f"Bearer {token}"}
        with (work / "serve.log").open("wb") as log:
            process = subprocess.Popen([WARROOM, "serve"], env=env, stdout=log,
                                       stderr=subprocess.STDOUT)
            try:
                wait_healthy(url, process)
                ref = httpx.post(url + "/api/v1/incidents", headers=headers, json={
                    "type": "security_breach", "severity": "critical", "title": "bench"},
                    timeout=60).json()["id"]
                before = peak_rss(process.pid)
                started = time.perf_counter()
                answer = httpx.post(f"{url}/api/v1/incidents/{ref}/evidence", timeout=1800,
                                    headers={**headers, "Content-Type":
                                             f"multipart/form-data; boundary={BOUNDARY}"},
                                    content=body(source))
                upload_seconds = time.perf_counter() - started
                answer.raise_for_status()
                started = time.perf_counter()
                received = 0
                with httpx.stream("POST", f"{url}/api/v1/incidents/{ref}/evidence/export",
                                  headers=headers, json={"purpose": "bench"},
                                  timeout=1800) as exported:
                    exported.raise_for_status()
                    for chunk in exported.iter_bytes(CHUNK):
                        received += len(chunk)
                export_seconds = time.perf_counter() - started
                growth = peak_rss(process.pid) - before
            finally:
                process.terminate()
                process.wait(timeout=30)
    mb = size / 1e6
    return {"size_bytes": size, "baseline_mb_s": round(mb / base_seconds, 1),
            "upload_mb_s": round(mb / upload_seconds, 1),
            "export_mb_s": round(mb / export_seconds, 1),
            "upload_ratio": round(base_seconds / upload_seconds, 2),
            "export_ratio": round(base_seconds / export_seconds, 2),
            "rss_growth_mb": round(growth / 1e6, 1), "export_bytes": received}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a 64 MiB file (< 1 minute)")
    args = parser.parse_args()
    figures = run((64 if args.quick else 1024) * 2**20)
    goals = {"upload_ratio": figures["upload_ratio"] >= 0.5,
             "export_ratio": figures["export_ratio"] >= 0.5,
             "rss_growth_mb": figures["rss_growth_mb"] < 64}
    print(f"{'figure':<16}{'value':>12}  goal")
    for name in ("baseline_mb_s", "upload_mb_s", "export_mb_s", "upload_ratio",
                 "export_ratio", "rss_growth_mb"):
        goal = {True: "met", False: "MISSED"}.get(goals.get(name), "") \
            if name in goals else ""
        print(f"{name:<16}{figures[name]:>12}  {goal}")
    print(json.dumps({**figures, "goals_met": all(goals.values())}))


if __name__ == "__main__":
    main()
