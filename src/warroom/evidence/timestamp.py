"""RFC 3161 timestamps on evidence exports (``WARROOM_EVIDENCE_TSA_URL``).

The bundle's Ed25519 signature says which instance made the manifest; it
cannot say when, since whoever holds the key could sign a back-dated one.
A time-stamping authority (TSA) can: when one is configured, the export asks
it for a token over the manifest's SHA-256 and puts the answer in the bundle
as ``manifest.tsr`` (a ``TimeStampResp``, the file ``openssl ts -reply``
writes and ``openssl ts -verify -data manifest.json`` reads). The manifest
itself says that a token belongs with it (``timestamp``: the TSA's origin,
the token's name, the SHA-256 of the TSA certificates shipped), so removing
the token or swapping the certificates is caught by the signature.

The TSA URL is typed by an operator, so it goes through the outbound
destination policy (:mod:`warroom.outbound`) like every other URL warroom
calls. A TSA that cannot be reached, refuses, or answers with a token that
does not cover the manifest (or does not verify against
``WARROOM_EVIDENCE_TSA_CA_CERT``) fails the export with a sentence saying
so: an operator who asked for timestamped bundles does not get an
untimestamped one silently.

:func:`check` is the offline half used by ``verify-bundle``: the message
imprint against ``manifest.json``, and the token's signature against the
certificates given (``--tsa-cert``) or shipped in the bundle.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx
from cryptography import x509
from rfc3161_client import (
    HashAlgorithm,
    PKIStatus,
    TimestampRequestBuilder,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)

from warroom import outbound
from warroom.errors import Invalid, Unavailable
from warroom.evidence import settings as evidence_settings

if TYPE_CHECKING:
    from rfc3161_client import TimeStampResponse

TOKEN, CERTIFICATES = "manifest.tsr", "tsa-certificates.pem"
ANSWER_LIMIT = 1 << 20
GRANTED = (PKIStatus.GRANTED, PKIStatus.GRANTED_WITH_MODS)
SETTING, CA_SETTING = "WARROOM_EVIDENCE_TSA_URL", "WARROOM_EVIDENCE_TSA_CA_CERT"
_IMPRINTS = {"2.16.840.1.101.3.4.2.1": "sha256", "2.16.840.1.101.3.4.2.2": "sha384",
             "2.16.840.1.101.3.4.2.3": "sha512"}


@dataclass(frozen=True)
class Stamp:
    token: bytes
    certificates: bytes | None


def planned() -> dict[str, Any] | None:
    """The manifest's ``timestamp`` entry when a TSA is configured (written
    before the TSA is asked: it describes what will be in the bundle)."""
    config = evidence_settings.get()
    if not config.evidence_tsa_url:
        return None
    pem = _configured_certificates()
    return {"tsa": outbound.origin(config.evidence_tsa_url), "token": TOKEN,
            "hash": "sha256", "certificates": CERTIFICATES if pem else None,
            "certificates_sha256": hashlib.sha256(pem).hexdigest() if pem else None}


def stamp(manifest: bytes) -> Stamp:
    """Ask the TSA for a token over ``manifest`` and check it before it is
    shipped: granted, over this manifest's SHA-256, with our nonce, and
    (when CA certificates are configured) signed by a certificate they issued."""
    config = evidence_settings.get()
    url = config.evidence_tsa_url
    assert url
    request = (TimestampRequestBuilder().data(manifest).hash_algorithm(HashAlgorithm.SHA256)
               .nonce(nonce=True).cert_request(cert_request=True).build())
    where = outbound.origin(url)
    try:
        outbound.check_url(url, field=SETTING)
        body = _post(url, request.as_bytes(), config.evidence_tsa_timeout_seconds, where)
    except outbound.DestinationRefused as refused:
        raise outbound.DestinationRefused(f"{refused.detail} The bundle was not written.",
                                          reason=refused.reason) from None
    except httpx.HTTPError as failed:
        raise Unavailable(f"The time-stamping authority ({where}) could not be asked for a "
                          f"timestamp: {outbound.failure_reason(failed)}. The bundle was not "
                          f"written; try again, or unset {SETTING} to export without a "
                          "timestamp.") from None
    try:
        answer = decode_timestamp_response(body)
    except ValueError:
        raise Unavailable(f"The time-stamping authority ({where}) did not answer with an "
                          "RFC 3161 timestamp response; the bundle was not written.") from None
    if answer.status not in GRANTED:
        raise Unavailable(f"The time-stamping authority ({where}) refused the request "
                          f"(status {_status(answer.status)}); the bundle was not written.")
    mismatch = _imprint_mismatch(answer, manifest)
    if mismatch or answer.tst_info.nonce != request.nonce:
        raise Unavailable(f"The time-stamping authority ({where}) answered with a token "
                          f"for something else ({mismatch or 'another nonce'}); the bundle "
                          "was not written.")
    pem = _configured_certificates()
    if pem:
        failed_check = _signature_problem(answer, pem)
        if failed_check:
            raise Unavailable(f"The time-stamping authority's token does not verify against "
                              f"{CA_SETTING} ({failed_check}); the bundle was not written.")
    return Stamp(token=body, certificates=pem)


def check(manifest: bytes, entry: dict[str, Any] | None, token: bytes | None,
          shipped: bytes | None, given: bytes | None, given_name: str | None = None
          ) -> tuple[list[str], str | None]:
    """(problems, what was found) for a bundle's timestamp, offline.

    ``entry`` is the manifest's ``timestamp``; ``shipped`` the bundle's
    certificates, ``given`` those the person checking trusts (``--tsa-cert``),
    which win when both are there."""
    if token is None:
        if entry:
            return [f"manifest.json says it was timestamped by {entry.get('tsa')} but the "
                    f"bundle has no {TOKEN}"], None
        if given is not None:
            return [f"the bundle has no {TOKEN} to check against the TSA certificate "
                    "given"], None
        return [], None
    try:
        answer = decode_timestamp_response(token)
    except ValueError:
        return [f"{TOKEN} is not an RFC 3161 timestamp response"], None
    if answer.status not in GRANTED:
        return [f"{TOKEN} holds no timestamp (status {_status(answer.status)})"], None
    problems = []
    mismatch = _imprint_mismatch(answer, manifest)
    if mismatch:
        problems.append(f"{TOKEN} does not match manifest.json: {mismatch}; the manifest "
                        "was changed after it was timestamped")
    if shipped is not None and entry and entry.get("certificates_sha256") and \
            hashlib.sha256(shipped).hexdigest() != entry["certificates_sha256"]:
        problems.append(f"{CERTIFICATES} is not the file the manifest names (its SHA-256 "
                        f"differs from {entry['certificates_sha256']}): it was replaced "
                        "after export")
        shipped = None
    pem, against = (given, given_name or "the TSA certificate given") if given is not None \
        else (shipped, f"{CERTIFICATES} from the bundle")
    info = answer.tst_info
    summary = f"timestamped by {(entry or {}).get('tsa', 'a TSA')} at " \
              f"{info.gen_time.isoformat()} (serial {info.serial_number})"
    if pem is None:
        return problems, f"{summary}; the token's signature was not checked (no TSA " \
                         "certificate: give --tsa-cert)"
    problem = _signature_problem(answer, pem)
    if problem:
        problems.append(f"{TOKEN}'s signature does not verify against {against} "
                        f"({problem})")
    return problems, f"{summary}; its signature verifies against {against}"


def _status(value: int) -> str:
    try:
        return PKIStatus(value).name.lower()
    except ValueError:
        return str(value)


def _post(url: str, request: bytes, timeout: float, where: str) -> bytes:
    with outbound.client().stream("POST", url, content=request, timeout=timeout, headers={
            "Content-Type": "application/timestamp-query",
            "Accept": "application/timestamp-reply"}) as answer:
        if answer.status_code != 200:
            raise Unavailable(f"The time-stamping authority ({where}) answered HTTP "
                              f"{answer.status_code}; the bundle was not written.")
        body = bytearray()
        for chunk in answer.iter_bytes():
            body += chunk
            if len(body) > ANSWER_LIMIT:
                raise Unavailable(f"The time-stamping authority ({where}) sent more than "
                                  "1 MiB; the bundle was not written.")
    return bytes(body)


def _imprint_mismatch(answer: TimeStampResponse, manifest: bytes) -> str | None:
    imprint = answer.tst_info.message_imprint
    name = _IMPRINTS.get(imprint.hash_algorithm.dotted_string)
    if name is None:
        return f"its message imprint uses an unknown hash ({imprint.hash_algorithm.dotted_string})"
    expected = hashlib.new(name, manifest).hexdigest()
    if imprint.message.hex() != expected:
        return f"its message imprint is {name}:{imprint.message.hex()}, manifest.json " \
               f"hashes to {name}:{expected}"
    return None


def _signature_problem(answer: TimeStampResponse, pem: bytes) -> str | None:
    try:
        certificates = x509.load_pem_x509_certificates(pem)
    except ValueError:
        return "it holds no PEM certificate"
    builder = VerifierBuilder()
    for certificate in certificates:
        builder = builder.add_root_certificate(certificate)
    try:
        builder.build().verify(answer, answer.tst_info.message_imprint.message)
    except VerificationError as failed:
        return _short(failed)
    return None


def _short(failed: Exception) -> str:
    """The verifier's reason without OpenSSL's error stack."""
    text = str(failed)
    found = re.search(r"Verify error: ([^\"]+)", text)
    if found:
        return f"the TSA's certificate does not chain to them: {found.group(1)}"
    if "ErrorStack" in text:
        return "the token's signature does not match its content"
    return text[:200]


def _configured_certificates() -> bytes | None:
    path = evidence_settings.get().evidence_tsa_ca_cert
    if path is None:
        return None
    try:
        pem = path.read_bytes()
        x509.load_pem_x509_certificates(pem)
    except (OSError, ValueError):
        raise Invalid(f"{CA_SETTING} ({path}) is not a readable file of PEM certificates; "
                      "the bundle was not written.") from None
    return pem
