"""Read and verify the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from warroom.audit import service
from warroom.audit import verify as verification
from warroom.auth.deps import requires
from warroom.auth.permissions import Permission
from warroom.db import Actor
from warroom.http import DbInt, read_session

router = APIRouter(tags=["audit"])
Auditor = Annotated[Actor, requires(Permission.audit_read)]


class AuditEntryOut(BaseModel):
    seq: int
    at: datetime
    actor: str
    action: str
    target: str
    before: Any
    after: Any
    source_ip: str | None
    prev_hash: str
    hash: str


class FindingOut(BaseModel):
    subject: str
    problem: str


class VerificationOut(BaseModel):
    ok: bool
    checked: int
    first_bad_seq: int | None
    problem: str | None
    findings: list[FindingOut]
    """Covered rows (timeline events, incidents) that disagree with the chain."""
    more_findings: int
    message: str


@router.get("/api/v1/audit", response_model=list[AuditEntryOut])
def list_entries(request: Request, actor: Auditor,
                 target: Annotated[str | None, Query(max_length=200)] = None,
                 action: Annotated[str | None, Query(max_length=100)] = None,
                 after_seq: Annotated[DbInt, Query(ge=0)] = 0,
                 limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[AuditEntryOut]:
    """Entries in chain order; page with ``after_seq``."""
    with read_session(request) as session:
        rows = service.get_all(session, target=target, action=action, limit=limit,
                               after_seq=after_seq)
        return [AuditEntryOut.model_validate(r, from_attributes=True) for r in rows]


@router.get("/api/v1/audit/verify", response_model=VerificationOut)
def verify(request: Request, actor: Auditor) -> VerificationOut:
    """Walk the hash chain and name the first entry that was tampered with, and
    every timeline event or incident row that no longer matches it. (Anchors
    are checked by ``warroom audit verify --anchors``, on the operator's copy.)"""
    with read_session(request) as session:
        result = verification.verify(session)
        return VerificationOut(
            ok=result.ok, checked=result.checked, first_bad_seq=result.first_bad_seq,
            problem=result.problem, more_findings=result.more, message=result.message,
            findings=[FindingOut(subject=f.subject, problem=f.problem) for f in result.findings])
