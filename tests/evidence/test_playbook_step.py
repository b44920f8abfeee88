"""A playbook ``command`` step with ``evidence: true``: its standard output
becomes an item linked to the step, with how it was collected."""

from __future__ import annotations

import hashlib

from tests.playbooks.conftest import playbooks_dir, steps_of, write_playbook
from warroom.incidents import service as incidents
from warroom.playbooks import service as playbooks

__all__ = ["playbooks_dir", "steps_of"]

PRESERVE = """
name: preserve
version: "1"
title: Preserve
source: seed 002 Data Preservation
phases:
  - phase: triage
    due: 0-5 minutes
    steps:
      - id: dump-logs
        title: Preserve the access log
        role: security_representative
        kind: command
        command: printf 'GET /ws 101\\n%.0s' 1 2 3; echo noted >&2
        evidence: true
        source: seed 002 Containment > Data Preservation
"""


def test_a_step_with_evidence_true_keeps_its_output_as_an_item(
        playbooks_dir, configure, work, worker, client, people, steps_of):
    write_playbook(playbooks_dir, "preserve", PRESERVE)
    configure(PLAYBOOK_COMMAND_ALLOWLIST="printf *")
    with work() as uow:
        incident = incidents.declare(uow, declaration=incidents.Declaration(
            type="security_breach", severity="critical", title="Breach"))
        playbooks.attach(uow, incident=incident, name="preserve")
        ref = incident.ref
    worker.run_once()
    step = steps_of(ref)["preserve:dump-logs"]
    assert step.status == "succeeded", step.outcome
    assert step.outcome["evidence"].startswith("EV-")
    assert step.output == "noted\n"  # standard error; the output itself is the item
    [item] = client.get(f"/api/v1/incidents/{ref}/evidence", headers=people.admin).json()
    content = b"GET /ws 101\n" * 3
    assert (item["ref"], item["kind"], item["produced_by_step"]) == (
        step.outcome["evidence"], "command_output", "preserve:dump-logs")
    assert (item["sha256"], item["size"]) == (hashlib.sha256(content).hexdigest(), len(content))
    assert item["collection"]["exit_code"] == 0
    assert item["collection"]["stderr_sha256"] == hashlib.sha256(b"noted\n").hexdigest()
    assert item["method_argv"][0] == "/bin/sh"
    got = client.get(f"/api/v1/evidence/{item['ref']}/content", params={"purpose": "check"},
                     headers=people.admin)
    assert got.content == content
