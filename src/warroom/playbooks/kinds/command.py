"""``command`` steps: a shell command, run only when allow-listed, with a
timeout that kills the whole process group."""

from __future__ import annotations

import contextlib
import fnmatch
import os
import signal
import subprocess
import time
from typing import Any

from warroom.evidence import service as evidence
from warroom.playbooks import rendering
from warroom.playbooks import settings as playbooks_settings
from warroom.playbooks.format import parse_duration
from warroom.playbooks.kinds.types import Prepared, Result, clip

SHELL = "/bin/sh"


class CommandKind:
    def prepare(self, params: dict[str, Any], values: dict[str, Any]) -> Prepared:
        settings = playbooks_settings.get()
        command = rendering.shell(params["command"], values).strip()
        timeout = parse_duration(params["timeout"]).total_seconds() if params.get("timeout") \
            else settings.playbook_command_timeout_seconds
        blocked = None
        if not allowed(command, settings.playbook_command_allowlist):
            blocked = ("the command is not allow-listed: add a pattern that matches it to "
                       "WARROOM_PLAYBOOK_COMMAND_ALLOWLIST")
        env = {"WARROOM_INCIDENT": values["incident"]["ref"]}
        spec: dict[str, Any] = {"command": command, "shell": SHELL, "env": env}
        if params.get("evidence"):
            spec["evidence"] = True
        return Prepared("command", spec, timeout, blocked)

    def execute(self, prepared: Prepared) -> Result:
        if prepared.spec.get("evidence"):
            return _collect(prepared)
        command = prepared.spec["command"]
        started = time.monotonic()
        process = subprocess.Popen([SHELL, "-c", command], stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   env=_environment(prepared.spec["env"]),
                                   start_new_session=True)
        timed_out = False
        try:
            raw, _ = process.communicate(timeout=prepared.timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            _kill_group(process)
            raw, _ = process.communicate()
        seconds = round(time.monotonic() - started, 3)
        limit = playbooks_settings.get().playbook_output_limit_bytes
        output = clip(raw.decode(errors="replace"), limit)
        outcome = {"exit_code": process.returncode, "seconds": seconds, "timed_out": timed_out,
                   "command": command}
        if timed_out:
            return Result(False, f"command timed out after {prepared.timeout:g} s and was "
                                 "killed", output, outcome)
        ok = process.returncode == 0
        return Result(ok, f"command exited {process.returncode} in {seconds:g} s", output,
                      outcome)


def _collect(prepared: Prepared) -> Result:
    """Standard output into the evidence store (streamed, never in memory);
    :func:`warroom.playbooks.execution.record` registers the item."""
    command = prepared.spec["command"]
    ran = evidence.run_command([SHELL, "-c", command], timeout=prepared.timeout,
                               env=_environment(prepared.spec["env"]))
    record, stored = ran["collection"], ran["stored"]
    outcome = {"exit_code": record["exit_code"], "timed_out": record["timed_out"],
               "command": command, "evidence_pending": ran}
    output = clip(record["stderr_tail"], playbooks_settings.get().playbook_output_limit_bytes)
    if record["timed_out"]:
        return Result(False, f"command timed out after {prepared.timeout:g} s and was killed; "
                             f"its output so far ({stored['size']} bytes) is kept as evidence",
                      output or None, outcome)
    return Result(record["exit_code"] == 0, f"command exited {record['exit_code']}; its output "
                  f"({stored['size']} bytes, sha256 {stored['sha256'][:16]}…) is kept as "
                  "evidence", output or None, outcome)


def allowed(command: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatchcase(command, pattern.strip()) for pattern in patterns)


def _environment(extra: dict[str, str]) -> dict[str, str]:
    """The worker's environment without warroom's own secrets."""
    kept = {key: value for key, value in os.environ.items() if not key.startswith("WARROOM_")}
    return {**kept, **extra}


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
