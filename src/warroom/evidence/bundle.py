"""Export an incident's evidence as one zip someone else can check offline.

The zip holds every item's content (``files/EV-n/<name>``), a
``manifest.json`` (the items, every custody event, each item's chain head,
the audit chain's head at export time, the warroom version), a detached
Ed25519 signature of the manifest (``manifest.json.sig``) made with the
instance's signing key, and that key's public half (``signing-key.pub``).
With a time-stamping authority configured, an RFC 3161 token over the
manifest (``manifest.tsr``, see :mod:`warroom.evidence.timestamp`) too.
It is written as a stream (entries are stored, not compressed: evidence is
often already compressed, and the hashes are what matter), so a bundle of
many gigabytes costs a chunk of memory.

:func:`verify` checks a bundle without the instance: the signature, every
file's SHA-256 and size against the manifest, and every item's custody chain
(sequence, links and head), and the timestamp when there is one (its
imprint, and its signature against the TSA certificates given or shipped).
The custody events' own HMACs need the instance
secret, so they are checked by ``warroom evidence verify`` on the instance.
"""

from __future__ import annotations

import base64
import hashlib
import os
import stat
import zipfile
from typing import TYPE_CHECKING, Any

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from warroom import __version__
from warroom.audit import service as audit
from warroom.config import get_settings
from warroom.evidence import custody, service, store, timestamp
from warroom.evidence.custody import Happening

if TYPE_CHECKING:
    from pathlib import Path
    from typing import BinaryIO

    from warroom.db import UnitOfWork
    from warroom.evidence.models import EvidenceItem
    from warroom.incidents.models import Incident

FORMAT = "warroom-evidence-bundle/1"
MANIFEST, SIGNATURE, PUBLIC_KEY = "manifest.json", "manifest.json.sig", "signing-key.pub"


def signing_key() -> Ed25519PrivateKey:
    """The instance's Ed25519 key, generated into the data dir on first use
    (owner-only: 0600)."""
    path = get_settings().data_dir / "evidence-signing.key"
    if path.exists():
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
        assert isinstance(loaded, Ed25519PrivateKey)
        return loaded
    key = Ed25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL,
                         stat.S_IRUSR | stat.S_IWUSR)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    return key


def public_pem(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)


def fingerprint(pem: bytes) -> str:
    return "sha256:" + hashlib.sha256(pem).hexdigest()[:32]


def export(uow: UnitOfWork, *, incident: Incident, out: BinaryIO, purpose: str,
           recipient: str | None = None) -> dict[str, Any]:
    """Record the export on every item, then write the bundle to ``out``."""
    items = service.get_all(uow.session, incident_id=incident.id)
    audit_seq = audit.chain_length(uow.session)
    audit_hash = _audit_head_hash(uow, audit_seq)
    for item in items:
        if item.status != "destroyed":
            custody.append(uow, item, Happening("exported", purpose=purpose,
                                                counterparty=recipient,
                                                hash_observed=item.sha256))
    plan = timestamp.planned()
    manifest = _manifest(uow, incident, items, {"seq": audit_seq, "hash": audit_hash})
    if plan is not None:
        manifest["timestamp"] = plan
    raw = orjson.dumps(manifest, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)
    # asked before a byte is written: a TSA that fails stops the export early
    stamped = timestamp.stamp(raw) if plan is not None else None
    key = signing_key()
    kept = service.content()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED,
                         allowZip64=True) as bundle:
        for entry in manifest["items"]:
            if entry["file"] is None:
                continue
            with bundle.open(zipfile.ZipInfo(entry["file"]), "w", force_zip64=True) as sink:
                for chunk in kept.read(entry["sha256"]):
                    sink.write(chunk)
        bundle.writestr(MANIFEST, raw)
        bundle.writestr(SIGNATURE, base64.b64encode(key.sign(raw)) + b"\n")
        bundle.writestr(PUBLIC_KEY, public_pem(key))
        if stamped is not None:
            bundle.writestr(timestamp.TOKEN, stamped.token)
            if stamped.certificates is not None:
                bundle.writestr(timestamp.CERTIFICATES, stamped.certificates)
    return manifest


def verify(path: Path, *, tsa_certificates: bytes | None = None,
           tsa_certificates_name: str | None = None) -> tuple[list[str], dict[str, Any]]:
    """What in the bundle does not match, each problem naming its part.
    ``tsa_certificates`` (PEM) are the TSA certificates the person checking
    trusts; without them the bundle's own are used."""
    problems: list[str] = []
    with zipfile.ZipFile(path) as bundle:
        names = set(bundle.namelist())
        missing = [n for n in (MANIFEST, SIGNATURE, PUBLIC_KEY) if n not in names]
        if missing:
            return [f"the bundle has no {', '.join(missing)}"], {}
        raw = bundle.read(MANIFEST)
        pem = bundle.read(PUBLIC_KEY)
        problems += _check_signature(raw, bundle.read(SIGNATURE), pem)
        try:
            manifest = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return [*problems, "manifest.json is not JSON"], {}
        for entry in manifest.get("items", []):
            problems += _check_file(bundle, names, entry)
        for ref, head in manifest.get("chain_heads", {}).items():
            problems += custody.verify_links(ref, head["seq"], head["hash"],
                                             manifest.get("custody", {}).get(ref, []))
        found, stamped = timestamp.check(
            raw, manifest.get("timestamp"), _entry(bundle, names, timestamp.TOKEN),
            _entry(bundle, names, timestamp.CERTIFICATES), tsa_certificates,
            tsa_certificates_name)
        problems += found
    return problems, {"fingerprint": fingerprint(pem), "manifest": manifest,
                      "timestamp": stamped}


def _entry(bundle: zipfile.ZipFile, names: set[str], name: str) -> bytes | None:
    return bundle.read(name) if name in names else None


def _check_signature(raw: bytes, signature: bytes, pem: bytes) -> list[str]:
    try:
        key = serialization.load_pem_public_key(pem)
        assert isinstance(key, Ed25519PublicKey)
        key.verify(base64.b64decode(signature.strip()), raw)
    except (InvalidSignature, ValueError, AssertionError):
        return ["manifest.json does not match its signature (manifest.json.sig): the "
                "manifest was changed after export, or signed by another key"]
    return []


def _check_file(bundle: zipfile.ZipFile, names: set[str], entry: dict[str, Any]) -> list[str]:
    name = entry.get("file")
    if name is None:
        return []
    if name not in names:
        return [f"{entry['ref']}: {name} is missing from the bundle"]
    digest, size = hashlib.sha256(), 0
    with bundle.open(name) as handle:
        while chunk := handle.read(store.CHUNK):
            digest.update(chunk)
            size += len(chunk)
    problems = []
    if digest.hexdigest() != entry["sha256"]:
        problems.append(f"{entry['ref']}: {name} hashes to {digest.hexdigest()}, the manifest "
                        f"says {entry['sha256']}")
    if size != entry["size"]:
        problems.append(f"{entry['ref']}: {name} holds {size} bytes, the manifest says "
                        f"{entry['size']}")
    return problems


def _manifest(uow: UnitOfWork, incident: Incident, items: list[EvidenceItem],
              audit_head: dict[str, Any]) -> dict[str, Any]:
    entries, events, heads = [], {}, {}
    for item in items:
        row = service.out(uow.session, item).model_dump(mode="json")
        stored = item.sha256 is not None and item.status != "destroyed"
        row["file"] = f"files/{item.ref}/{_safe(item.original_filename or item.ref)}" \
            if stored else None
        entries.append(row)
        events[item.ref] = [custody.as_dict(e) for e in custody.events(uow.session, item.id)]
        heads[item.ref] = {"seq": item.custody_seq, "hash": item.custody_head}
    return {"format": FORMAT, "warroom_version": __version__, "incident": incident.ref,
            "incident_title": incident.title, "exported_at": uow.now().isoformat(),
            "exported_by": uow.actor.label, "audit_head": audit_head, "items": entries,
            "custody": events, "chain_heads": heads}


def _audit_head_hash(uow: UnitOfWork, seq: int) -> str:
    entries = audit.get_all(uow.session, after_seq=seq - 1, limit=1) if seq else []
    return entries[0].hash if entries else audit.GENESIS


def _safe(name: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "._-" else "_" for c in name)[:120]
    return cleaned.lstrip(".") or "content"
