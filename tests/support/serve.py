"""A real ``warroom serve`` in a subprocess, for the tests that need the whole
server: the fast lanes, the guarded protocol, TLS, third-party clients and
fuzzers talk to it over loopback as they would in production.

One place starts it, waits until ``/health`` answers 200 (failing at once,
with the server's log, if the process exits first) and stops it, so every
such test gets the same generous readiness timeout on a loaded machine."""

from __future__ import annotations

import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from tests.support.prometheus import eventually

if TYPE_CHECKING:
    import ssl
    from collections.abc import Callable, Iterator

ROOT = Path(__file__).resolve().parents[2]
WARROOM = str(Path(sys.executable).with_name("warroom"))
READY_SECONDS = 180.0


@contextmanager
def serving(args: list[str], *, env: dict[str, str], log: Path, url: str,
            verify: ssl.SSLContext | bool = True,
            preexec_fn: Callable[[], Any] | None = None) -> Iterator[subprocess.Popen[bytes]]:
    """``warroom serve ARGS`` with ``env``, its output in ``log``, answering at
    ``url``: yielded once healthy, terminated (then killed) on exit."""
    process = subprocess.Popen([WARROOM, "serve", *args], env=env, cwd=ROOT,
                               stdout=log.open("wb"), stderr=subprocess.STDOUT,
                               preexec_fn=preexec_fn)
    try:
        eventually(lambda: healthy(process, url, log, verify=verify),
                   timeout=READY_SECONDS, what=f"warroom to serve at {url}")
        yield process
    finally:
        stop(process)


def healthy(process: subprocess.Popen[bytes], url: str, log: Path, *,
            verify: ssl.SSLContext | bool = True) -> bool:
    if process.poll() is not None:
        raise AssertionError(f"warroom exited: {log.read_text()[-2000:]}")
    try:
        return httpx.get(url + "/health", timeout=2, verify=verify).status_code == 200
    except httpx.HTTPError:
        return False


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
