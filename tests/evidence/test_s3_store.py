"""The S3-compatible store (``WARROOM_EVIDENCE_STORE=s3``) against a real S3
API: moto's server on a loopback port, spoken to by boto3 over HTTP. Upload
and download round trip, never overwriting, a tampered object caught by
``verify`` and by the worker's re-hash, an export read from the bucket, a
large file in parts, Object Lock retention, and an unreachable store."""

from __future__ import annotations

import hashlib
import json
import secrets
import zipfile
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.server import ThreadedMotoServer
from sqlalchemy import select
from typer.testing import CliRunner

from tests.evidence.conftest import stored_files
from warroom.cli import app as cli_app
from warroom.evidence import s3store, service, store
from warroom.incidents import timeline
from warroom.notify.models import OutboxMessage

CONTENT = b"2026-03-01T10:15:00Z sshd[812]: Accepted publickey for deploy\n" * 64
runner = CliRunner()


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def aws_env(monkeypatch, tmp_path):
    """Throwaway credentials in the environment, the first link of boto3's
    chain; no shared config or credentials file is read."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing-key-id")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing-secret")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def s3(s3_endpoint, aws_env):
    """A boto3 client of the test's own, to look at (and tamper with) the bucket."""
    return boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")


@pytest.fixture
def bucket(s3, s3_endpoint, configure, settings):
    name = f"evidence-{secrets.token_hex(4)}"
    s3.create_bucket(Bucket=name)
    configure(EVIDENCE_STORE="s3", EVIDENCE_S3_BUCKET=name,
              EVIDENCE_S3_ENDPOINT_URL=s3_endpoint, EVIDENCE_S3_REGION="us-east-1",
              EVIDENCE_S3_PREFIX="warroom/")
    return name


def key_of(sha256: str) -> str:
    return f"warroom/sha256/{sha256[:2]}/{sha256}"


def keys(s3, bucket: str) -> list[str]:
    return [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]


def test_upload_and_download_round_trip_through_the_bucket(
        bucket, s3, incident, upload, client, people, store_dir):
    sha256 = hashlib.sha256(CONTENT).hexdigest()
    made = upload(incident, CONTENT, declared_hashes={"sha256": sha256})
    assert made.status_code == 201, made.text
    item = made.json()
    assert (item["sha256"], item["size"]) == (sha256, len(CONTENT))
    assert keys(s3, bucket) == [key_of(sha256)]
    assert s3.get_object(Bucket=bucket, Key=key_of(sha256))["Body"].read() == CONTENT
    # nothing kept locally: the directory only held the file while it was hashed
    assert stored_files(store_dir) == [] and list((store_dir / "tmp").iterdir()) == []

    got = client.get(f"/api/v1/evidence/{item['ref']}/content", params={"purpose": "triage"},
                     headers=people.admin)
    assert got.status_code == 200 and got.content == CONTENT
    assert got.headers["digest"] == f"sha-256={sha256}"

    again = upload(incident, CONTENT, title="Same log again")
    assert again.status_code == 201
    assert keys(s3, bucket) == [key_of(sha256)]  # stored once by address

    wrong = upload(incident, b"other bytes", declared_hashes={"sha256": "0" * 64})
    assert wrong.status_code == 422
    assert keys(s3, bucket) == [key_of(sha256)]


def test_an_existing_object_is_never_overwritten(bucket, s3, store_dir):
    """The key is checked before the put, and the put is conditional
    (If-None-Match), so a racing writer's object stays as it is."""
    kept = service.content()
    sha256 = hashlib.sha256(CONTENT).hexdigest()
    s3.put_object(Bucket=bucket, Key=key_of(sha256), Body=b"already here")
    temp = store_dir / "tmp" / "staged"
    temp.parent.mkdir(parents=True)
    temp.write_bytes(CONTENT)
    kept.place(temp, sha256)
    assert s3.get_object(Bucket=bucket, Key=key_of(sha256))["Body"].read() == b"already here"

    assert isinstance(kept, s3store.S3Store)
    with pytest.raises(ClientError, match="PreconditionFailed"):
        kept.client.put_object(Bucket=bucket, Key=key_of(sha256), Body=b"x",
                               IfNoneMatch="*")


def test_a_tampered_object_is_named_by_verify_and_the_worker_pages(
        bucket, s3, incident, upload, assign, work, worker, clock, database, tmp_path):
    ref = upload(incident, CONTENT).json()["ref"]
    sha256 = hashlib.sha256(CONTENT).hexdigest()
    assert runner.invoke(cli_app, ["evidence", "verify"]).output.strip() == "evidence intact"
    assign(incident, "documentation_lead", "responder")
    with work() as uow:
        service.seal(uow, service.get_for_update(uow, ref=ref), purpose="collected")

    s3.put_object(Bucket=bucket, Key=key_of(sha256), Body=b"swapped in the bucket")
    swapped = hashlib.sha256(b"swapped in the bucket").hexdigest()
    checked = runner.invoke(cli_app, ["evidence", "verify"])
    assert checked.exit_code == 1
    assert f"{ref}: the stored content now hashes to {swapped}, not {sha256}" in checked.output

    clock.advance(timedelta(days=7, minutes=1))
    worker.run_once()
    with database.read() as session:
        item = service.get_or_raise(session, ref=ref)
        actions = [e.data["action"] for e in timeline.get_all(
            session, incident_id=item.incident_id, kind="evidence")]
        pages = session.scalars(select(OutboxMessage.recipient).where(
            OutboxMessage.kind == "evidence")).all()
    assert actions[-1] == "verify_failed" and set(pages) == {"responder"}

    s3.delete_object(Bucket=bucket, Key=key_of(sha256))
    gone = runner.invoke(cli_app, ["evidence", "verify"])
    assert f"{ref}: the stored content is missing" in gone.output
    refused = runner.invoke(cli_app, ["evidence", "download", ref, "-o",
                                      str(tmp_path / "copy"), "--purpose", "look"])
    assert refused.exit_code != 0 and "missing from the store" in refused.output


def test_an_export_bundle_reads_its_files_from_the_bucket(bucket, incident, upload, tmp_path):
    ref = upload(incident, CONTENT).json()["ref"]
    out = tmp_path / "bundle.zip"
    done = runner.invoke(cli_app, ["evidence", "export", incident, "-o", str(out),
                                   "--purpose", "hand to counsel"])
    assert done.exit_code == 0, done.output
    with zipfile.ZipFile(out) as bundle:
        assert bundle.read(f"files/{ref}/access.log") == CONTENT
        manifest = json.loads(bundle.read("manifest.json"))
    assert manifest["items"][0]["sha256"] == hashlib.sha256(CONTENT).hexdigest()
    checked = runner.invoke(cli_app, ["evidence", "verify-bundle", str(out)])
    assert checked.exit_code == 0, checked.output


def test_a_large_file_goes_up_in_parts_one_part_in_memory_at_a_time(
        bucket, s3, store_dir, monkeypatch):
    monkeypatch.setattr(s3store.S3Store, "single_put_limit", 5 * 2**20)
    monkeypatch.setattr(s3store.S3Store, "part_size", 5 * 2**20)
    big = secrets.token_bytes(2**20) * 11  # 11 MiB: three parts
    kept = service.content()
    stored = store.store(kept, (big[i:i + store.CHUNK] for i in range(0, len(big), store.CHUNK)),
                         limit=len(big), limit_reason="too big")
    assert stored.sha256 == hashlib.sha256(big).hexdigest()
    head = s3.head_object(Bucket=bucket, Key=key_of(stored.sha256))
    assert head["ContentLength"] == len(big) and head["ETag"].endswith('-3"')
    assert store.rehash(kept, stored.sha256) == stored.sha256
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_object_lock_retention_is_set_when_asked(s3, s3_endpoint, configure, settings,
                                                 store_dir):
    """(A multipart upload sends the same headers when it is created; moto
    keeps them only for single puts, so that half is not asserted here.)"""
    name = f"locked-{secrets.token_hex(4)}"
    s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    configure(EVIDENCE_STORE="s3", EVIDENCE_S3_BUCKET=name,
              EVIDENCE_S3_ENDPOINT_URL=s3_endpoint, EVIDENCE_S3_REGION="us-east-1",
              EVIDENCE_S3_OBJECT_LOCK_MODE="COMPLIANCE", EVIDENCE_S3_OBJECT_LOCK_DAYS="30")
    stored = store.store(service.content(), [CONTENT], limit=len(CONTENT), limit_reason="-")
    head = s3.head_object(Bucket=name, Key=f"sha256/{stored.sha256[:2]}/{stored.sha256}")
    assert head["ObjectLockMode"] == "COMPLIANCE"
    assert head["ObjectLockRetainUntilDate"] - datetime.now(UTC) > timedelta(days=29)


def test_an_unreachable_store_is_a_sentence_and_nothing_is_kept(
        aws_env, configure, settings, store_dir, incident, upload, monkeypatch):
    configure(EVIDENCE_STORE="s3", EVIDENCE_S3_BUCKET="evidence",
              EVIDENCE_S3_ENDPOINT_URL="http://127.0.0.1:9", EVIDENCE_S3_REGION="us-east-1")
    monkeypatch.setattr(s3store.S3Store, "attempts", 1)
    got = upload(incident, CONTENT)
    assert got.status_code == 503, got.text
    assert "The evidence store (s3://evidence/) could not look up the content" \
        in got.json()["detail"]
    assert "testing-secret" not in got.text
    assert list((store_dir / "tmp").iterdir()) == []


def test_s3_without_a_bucket_is_refused_at_start(configure, settings):
    from warroom.evidence.settings import EvidenceSettings

    configure(EVIDENCE_STORE="s3")
    with pytest.raises(ValueError, match="needs WARROOM_EVIDENCE_S3_BUCKET"):
        EvidenceSettings()
