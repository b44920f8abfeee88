"""RFC 3161 timestamps on exports, against a real (small) TSA on loopback:
the token is in the bundle and checked offline; a changed manifest, a
dropped token, a stranger's certificate or a swapped certificate file are
named; a TSA that cannot be reached, that the outbound policy refuses, or
that timestamps something else stops the export with a sentence."""

from __future__ import annotations

import hashlib
import json
import zipfile

import pytest
from typer.testing import CliRunner

from tests.evidence.test_bundle import rewrite
from tests.evidence.tsa import make_ca_and_tsa, pem, serve_tsa
from warroom.cli import app as cli_app

runner = CliRunner()
CONTENT = b"firewall deny 198.51.100.7 -> 10.0.4.2:5432\n" * 100


@pytest.fixture
def tsa():
    yield from serve_tsa()


@pytest.fixture
def ca_file(tsa, tmp_path):
    path = tmp_path / "tsa-ca.pem"
    path.write_bytes(pem(tsa.ca))
    return path


@pytest.fixture
def timestamped(tsa, ca_file, configure, settings):
    configure(EVIDENCE_TSA_URL=tsa.url, EVIDENCE_TSA_CA_CERT=str(ca_file))
    return tsa


class Ran:
    """A CLI run with its output's lines joined (error sentences wrap)."""

    def __init__(self, result) -> None:
        self.exit_code = result.exit_code
        self.output = " ".join(result.output.split())


def export(incident, out) -> Ran:
    return Ran(runner.invoke(cli_app, ["evidence", "export", incident, "-o", str(out),
                                       "--purpose", "hand to counsel"]))


def verify(path, *extra) -> Ran:
    return Ran(runner.invoke(cli_app, ["evidence", "verify-bundle", str(path), *extra]))


def test_an_export_carries_a_token_over_its_manifest_checked_offline(
        timestamped, incident, upload, tmp_path, ca_file):
    upload(incident, CONTENT)
    out = tmp_path / "bundle.zip"
    done = export(incident, out)
    assert done.exit_code == 0, done.output
    assert len(timestamped.requests) == 1
    with zipfile.ZipFile(out) as bundle:
        raw = bundle.read("manifest.json")
        assert bundle.read("tsa-certificates.pem") == pem(timestamped.ca)
        token = bundle.read("manifest.tsr")
    manifest = json.loads(raw)
    assert manifest["timestamp"] == {
        "tsa": timestamped.url.removesuffix("/tsa"), "token": "manifest.tsr",
        "hash": "sha256", "certificates": "tsa-certificates.pem",
        "certificates_sha256": hashlib.sha256(pem(timestamped.ca)).hexdigest()}
    assert hashlib.sha256(raw).digest() in token  # the imprint is the manifest's hash

    checked = verify(out)
    assert checked.exit_code == 0, checked.output
    assert "bundle intact" in checked.output
    assert "its signature verifies against tsa-certificates.pem from the bundle" \
        in checked.output
    given = verify(out, "--tsa-cert", str(ca_file))
    assert given.exit_code == 0, given.output
    assert f"its signature verifies against {ca_file}" in given.output


def test_a_changed_manifest_names_the_timestamp_mismatch(timestamped, incident, upload,
                                                         tmp_path):
    upload(incident, CONTENT)
    out = tmp_path / "bundle.zip"
    assert export(incident, out).exit_code == 0
    edited = tmp_path / "edited.zip"
    rewrite(out, edited, lambda name, data: data.replace(b"hand to counsel", b"hand to press")
            if name == "manifest.json" else data)
    bad = verify(edited)
    assert bad.exit_code == 1
    assert "manifest.json does not match its signature" in bad.output
    assert "- manifest.tsr does not match manifest.json: its message imprint is sha256:" \
        in bad.output
    assert "the manifest was changed after it was timestamped" in bad.output


def test_a_dropped_token_a_stranger_tsa_and_swapped_certificates_are_named(
        timestamped, incident, upload, tmp_path):
    upload(incident, CONTENT)
    out = tmp_path / "bundle.zip"
    assert export(incident, out).exit_code == 0

    dropped = tmp_path / "dropped.zip"
    with zipfile.ZipFile(out) as old, zipfile.ZipFile(dropped, "w") as new:
        for info in old.infolist():
            if info.filename != "manifest.tsr":
                new.writestr(info.filename, old.read(info.filename))
    bad = verify(dropped)
    assert bad.exit_code == 1
    assert "manifest.json says it was timestamped by http://127.0.0.1:" in bad.output
    assert "but the bundle has no manifest.tsr" in bad.output

    garbled = tmp_path / "garbled.zip"
    rewrite(out, garbled, lambda name, data: b"not a token" if name == "manifest.tsr" else data)
    bad = verify(garbled)
    assert bad.exit_code == 1
    assert "- manifest.tsr is not an RFC 3161 timestamp response" in bad.output

    stranger_ca, _, _ = make_ca_and_tsa("Stranger")
    stranger = tmp_path / "stranger.pem"
    stranger.write_bytes(pem(stranger_ca))
    bad = verify(out, "--tsa-cert", str(stranger))
    assert bad.exit_code == 1
    assert f"manifest.tsr's signature does not verify against {stranger} (the TSA's " \
           "certificate does not chain to them" in bad.output

    swapped = tmp_path / "swapped.zip"
    rewrite(out, swapped, lambda name, data: pem(stranger_ca)
            if name == "tsa-certificates.pem" else data)
    bad = verify(swapped)
    assert bad.exit_code == 1
    assert "tsa-certificates.pem is not the file the manifest names" in bad.output


def test_without_certificates_the_imprint_is_checked_and_the_output_says_so(
        tsa, configure, settings, incident, upload, tmp_path):
    configure(EVIDENCE_TSA_URL=tsa.url)
    upload(incident, CONTENT)
    out = tmp_path / "bundle.zip"
    assert export(incident, out).exit_code == 0
    checked = verify(out)
    assert checked.exit_code == 0, checked.output
    assert "the token's signature was not checked (no TSA certificate: give --tsa-cert)" \
        in checked.output


def test_an_unreachable_tsa_stops_the_export_with_a_sentence(
        timestamped, configure, incident, upload, tmp_path, client, people):
    ref = upload(incident, CONTENT).json()["ref"]
    configure(EVIDENCE_TSA_URL="http://127.0.0.1:9/tsa")
    out = tmp_path / "bundle.zip"
    failed = export(incident, out)
    assert failed.exit_code != 0
    assert "The time-stamping authority (http://127.0.0.1:9) could not be asked for a " \
           "timestamp: could not connect to the destination" in failed.output
    assert "The bundle was not written" in failed.output
    assert not out.exists()
    log = client.get(f"/api/v1/evidence/{ref}/custody", headers=people.admin).json()
    assert [e["action"] for e in log] == ["registered"]  # no export was recorded

    api = client.post(f"/api/v1/incidents/{incident}/evidence/export",
                      headers=people.admin, json={"purpose": "counsel"})
    assert api.status_code == 503
    assert "could not be asked for a timestamp" in api.json()["detail"]


def test_the_outbound_policy_applies_to_the_tsa(timestamped, configure, incident, upload,
                                                tmp_path):
    upload(incident, CONTENT)
    configure(OUTBOUND_ALLOW="")
    out = tmp_path / "bundle.zip"
    failed = export(incident, out)
    assert failed.exit_code != 0
    assert "WARROOM_EVIDENCE_TSA_URL (http://127.0.0.1:" in failed.output
    assert "is a loopback address; warroom does not call such destinations unless " \
           "WARROOM_OUTBOUND_ALLOW names them" in failed.output
    assert timestamped.requests == [] and not out.exists()


def test_a_token_for_something_else_is_refused_at_export(timestamped, incident, upload,
                                                         tmp_path):
    upload(incident, CONTENT)
    timestamped.wrong_imprint = hashlib.sha256(b"another manifest").digest()
    out = tmp_path / "bundle.zip"
    failed = export(incident, out)
    assert failed.exit_code != 0
    assert "answered with a token for something else (its message imprint is sha256:" \
        in failed.output
    assert not out.exists()


def test_a_token_from_another_ca_is_refused_at_export(timestamped, incident, upload,
                                                      tmp_path, ca_file):
    upload(incident, CONTENT)
    stranger_ca, _, _ = make_ca_and_tsa("Stranger")
    ca_file.write_bytes(pem(stranger_ca))
    failed = export(incident, tmp_path / "bundle.zip")
    assert failed.exit_code != 0
    assert "token does not verify against WARROOM_EVIDENCE_TSA_CA_CERT (the TSA's " \
           "certificate does not chain to them" in failed.output
