"""A 2 GiB upload through a real ``warroom serve`` streams to disk: the
server's peak resident memory barely moves, and the stored file has the
hash of what was sent. The body is generated as it is sent."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests.support.receivers import free_port
from tests.support.serve import serving

ROOT = Path(__file__).resolve().parents[2]
WARROOM = str(Path(sys.executable).with_name("warroom"))
SIZE = 2 * 2**30
CHUNK = 2**20
MAX_GROWTH = 64 * 2**20
BOUNDARY = "warroom-evidence-boundary"


def peak_rss(pid: int) -> int:
    """The process's peak resident set (VmHWM) in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM")


def body(digest: hashlib._Hash):  # type: ignore[name-defined]
    yield (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"metadata\"\r\n"
           "Content-Type: application/json\r\n\r\n"
           '{"kind": "memory_image", "title": "memory of web-01"}\r\n'
           f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; "
           "filename=\"web-01.mem\"\r\nContent-Type: application/octet-stream\r\n\r\n").encode()
    block = bytearray(os.urandom(CHUNK))
    for index in range(SIZE // CHUNK):
        block[:8] = index.to_bytes(8, "big")  # every chunk differs
        chunk = bytes(block)
        digest.update(chunk)
        yield chunk
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


def test_a_2_gib_upload_streams_in_bounded_memory(tmp_path):
    env = {**os.environ, "WARROOM_DATABASE_URL": f"sqlite:///{tmp_path}/w.db",
           "WARROOM_HOST": "127.0.0.1", "WARROOM_PORT": str(free_port()),
           "WARROOM_DATA_DIR": str(tmp_path / "var"),
           "WARROOM_SECRET_KEY": "streaming-secret-key-not-for-production",
           "WARROOM_LOG_LEVEL": "warning"}
    subprocess.run([WARROOM, "migrate"], env=env, cwd=ROOT, check=True, capture_output=True,
                   timeout=120)
    token = subprocess.run([WARROOM, "token", "create", "--name", "t", "--role", "admin"],
                           env=env, cwd=ROOT, check=True, capture_output=True, text=True,
                           timeout=120).stdout.strip().splitlines()[-1]
    url = f"http://127.0.0.1:{env['WARROOM_PORT']}"
    headers = {"Authorization": f"Bearer {token}"}
    with serving([], env=env, log=tmp_path / "serve.log", url=url) as process:
        declared = httpx.post(url + "/api/v1/incidents", headers=headers, timeout=60, json={
            "type": "security_breach", "severity": "critical", "title": "Memory image"})
        assert declared.status_code == 201, declared.text
        ref = declared.json()["id"]
        # warm the upload path with a small upload, then measure the big one
        small = httpx.post(f"{url}/api/v1/incidents/{ref}/evidence", headers=headers,
                           files=[("metadata", (None, '{"title": "warm"}', "application/json")),
                                  ("file", ("w.bin", b"x" * 4096, "text/plain"))], timeout=60)
        assert small.status_code == 201, small.text
        before = peak_rss(process.pid)
        digest = hashlib.sha256()
        answer = httpx.post(f"{url}/api/v1/incidents/{ref}/evidence", timeout=600,
                            headers={**headers, "Content-Type":
                                     f"multipart/form-data; boundary={BOUNDARY}"},
                            content=body(digest))
        assert answer.status_code == 201, answer.text
        growth = peak_rss(process.pid) - before
    item = answer.json()
    assert (item["size"], item["sha256"]) == (SIZE, digest.hexdigest())
    assert growth < MAX_GROWTH, f"peak RSS grew by {growth / 2**20:.1f} MiB"
