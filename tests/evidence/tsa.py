"""A small RFC 3161 time-stamping authority for tests, on loopback.

It answers ``application/timestamp-query`` POSTs with a ``TimeStampResp``
whose token is a CMS SignedData over a TSTInfo, signed with a throwaway
RSA key whose certificate (``id-kp-timeStamping``, critical) is issued by a
throwaway CA. The token is built with asn1crypto's ``tsp``/``cms`` models and
signed with ``cryptography``; requests are parsed the same way.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from asn1crypto import cms, core, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

if TYPE_CHECKING:
    from collections.abc import Iterator

POLICY = "1.3.6.1.4.1.99999.1"


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def make_ca_and_tsa(common: str = "Test TSA") -> tuple[x509.Certificate, rsa.RSAPrivateKey,
                                                      x509.Certificate]:
    """(CA certificate, TSA key, TSA certificate issued by the CA)."""
    now = datetime.now(UTC) - timedelta(minutes=5)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca = (x509.CertificateBuilder().subject_name(_name(f"{common} CA"))
          .issuer_name(_name(f"{common} CA")).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now)
          .not_valid_after(now + timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                       key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, key_cert_sign=True, crl_sign=True,
                                       encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                         critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (x509.CertificateBuilder().subject_name(_name(common)).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False,
                                         decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]),
                           critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    return ca, key, cert


def pem(*certs: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def token_for(request_der: bytes, key: rsa.RSAPrivateKey, cert: x509.Certificate,
              serial: int, *, imprint: bytes | None = None) -> bytes:
    """A granted TimeStampResp for the request (``imprint`` replaces the
    hash asked for, to make a TSA that timestamps the wrong thing)."""
    request = tsp.TimeStampReq.load(request_der)
    asked = request["message_imprint"]
    message_imprint = asked if imprint is None else tsp.MessageImprint({
        "hash_algorithm": asked["hash_algorithm"], "hashed_message": imprint})
    info: dict[str, Any] = {"version": "v1", "policy": POLICY,
                            "message_imprint": message_imprint, "serial_number": serial,
                            "gen_time": datetime.now(UTC).replace(microsecond=0)}
    if request["nonce"].native is not None:
        info["nonce"] = request["nonce"].native
    tst_der = tsp.TSTInfo(info).dump()
    cert_der = cert.public_bytes(serialization.Encoding.DER)
    asn1_cert = asn1_x509.Certificate.load(cert_der)
    signed_attrs = cms.CMSAttributes([
        {"type": "content_type", "values": ["tst_info"]},
        {"type": "message_digest", "values": [hashlib.sha256(tst_der).digest()]},
        {"type": "signing_certificate_v2", "values": [{"certs": [
            {"cert_hash": hashlib.sha256(cert_der).digest()}]}]},
    ])
    signature = key.sign(signed_attrs.dump(), padding.PKCS1v15(), hashes.SHA256())
    signer = cms.SignerInfo({
        "version": "v1",
        "sid": cms.SignerIdentifier({"issuer_and_serial_number": {
            "issuer": asn1_cert.issuer, "serial_number": asn1_cert.serial_number}}),
        "digest_algorithm": {"algorithm": "sha256"}, "signed_attrs": signed_attrs,
        "signature_algorithm": {"algorithm": "rsassa_pkcs1v15"}, "signature": signature})
    signed = cms.SignedData({
        "version": "v3", "digest_algorithms": [{"algorithm": "sha256"}],
        "encap_content_info": {"content_type": "tst_info",
                               "content": core.ParsableOctetString(tst_der)},
        "certificates": [asn1_cert], "signer_infos": [signer]})
    return tsp.TimeStampResp({
        "status": {"status": "granted"},
        "time_stamp_token": {"content_type": "signed_data", "content": signed}}).dump()


@dataclass
class Tsa:
    url: str
    ca: x509.Certificate
    cert: x509.Certificate
    key: rsa.RSAPrivateKey
    requests: list[bytes] = field(default_factory=list)
    wrong_imprint: bytes | None = None
    """Set to make the TSA timestamp something else than it was asked."""


def serve_tsa() -> Iterator[Tsa]:
    """Run the TSA on 127.0.0.1 on a free port until the generator is closed."""
    ca, key, cert = make_ca_and_tsa()
    state: dict[str, Tsa] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            tsa = state["tsa"]
            tsa.requests.append(body)
            if self.headers.get("Content-Type") != "application/timestamp-query":
                self.send_response(415)
                self.end_headers()
                return
            answer = token_for(body, tsa.key, tsa.cert, len(tsa.requests),
                               imprint=tsa.wrong_imprint)
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state["tsa"] = Tsa(url=f"http://127.0.0.1:{server.server_address[1]}/tsa", ca=ca,
                       cert=cert, key=key)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state["tsa"]
    finally:
        server.shutdown()
        server.server_close()
