"""Export: one signed zip, checked offline; a changed manifest or file is named."""

from __future__ import annotations

import json
import zipfile

from typer.testing import CliRunner

from warroom.cli import app as cli_app

runner = CliRunner()
CONTENT = b"websocket access log\n" * 200


def rewrite(source, target, change):
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            new.writestr(info.filename, change(info.filename, old.read(info.filename)))


def test_export_and_verify_a_bundle_and_name_what_was_changed(
        incident, upload, client, people, tmp_path):
    ref = upload(incident, CONTENT).json()["ref"]
    client.post(f"/api/v1/incidents/{incident}/evidence", headers=people.admin,
                json={"kind": "physical_item", "title": "Laptop", "location": "safe"})
    out = tmp_path / "bundle.zip"
    done = runner.invoke(cli_app, ["evidence", "export", incident, "-o", str(out),
                                   "--purpose", "hand to counsel", "--to", "counsel"])
    assert done.exit_code == 0, done.output
    checked = runner.invoke(cli_app, ["evidence", "verify-bundle", str(out)])
    assert checked.exit_code == 0, checked.output
    assert "bundle intact: " + incident in checked.output
    with zipfile.ZipFile(out) as bundle:
        manifest = json.loads(bundle.read("manifest.json"))
        assert bundle.read(f"files/{ref}/access.log") == CONTENT
    assert manifest["warroom_version"] and manifest["audit_head"]["seq"] > 0
    assert [e["action"] for e in manifest["custody"][ref]] == ["registered", "exported"]
    assert manifest["chain_heads"][ref]["hash"] == manifest["custody"][ref][-1]["hash"]
    log = client.get(f"/api/v1/evidence/{ref}/custody", headers=people.admin).json()
    assert (log[-1]["action"], log[-1]["counterparty"]) == ("exported", "counsel")

    edited = tmp_path / "edited.zip"
    rewrite(out, edited, lambda name, data: data.replace(b"hand to counsel", b"hand to press")
            if name == "manifest.json" else data)
    bad = runner.invoke(cli_app, ["evidence", "verify-bundle", str(edited)])
    assert bad.exit_code == 1
    assert "manifest.json does not match its signature" in bad.output

    swapped = tmp_path / "swapped.zip"
    rewrite(out, swapped, lambda name, data: b"forged" if name.startswith("files/") else data)
    bad = runner.invoke(cli_app, ["evidence", "verify-bundle", str(swapped)])
    assert bad.exit_code == 1
    assert f"{ref}: files/{ref}/access.log hashes to" in bad.output
    assert "signature" not in bad.output

    def drop_event(name, data):
        if name != "manifest.json":
            return data
        changed = json.loads(data)
        del changed["custody"][ref][0]
        return json.dumps(changed).encode()

    dropped = tmp_path / "dropped.zip"
    rewrite(out, dropped, drop_event)
    bad = runner.invoke(cli_app, ["evidence", "verify-bundle", str(dropped)])
    assert "signature" in bad.output and f"{ref} custody event #2 (exported" in bad.output


def test_the_api_exports_a_bundle_for_commanders_only(incident, upload, client, people,
                                                     tmp_path, store_dir):
    ref = upload(incident, CONTENT).json()["ref"]
    url = f"/api/v1/incidents/{incident}/evidence/export"
    assert client.post(url, headers=people.headers("responder"),
                       json={"purpose": "counsel"}).status_code == 403
    got = client.post(url, headers=people.headers("commander"),
                      json={"purpose": "counsel", "to": "counsel"})
    assert got.status_code == 200, got.text
    assert got.headers["content-type"] == "application/zip"
    path = tmp_path / "api.zip"
    path.write_bytes(got.content)
    checked = runner.invoke(cli_app, ["evidence", "verify-bundle", str(path)])
    assert checked.exit_code == 0, checked.output
    assert not list((store_dir / "tmp").iterdir())
    log = client.get(f"/api/v1/evidence/{ref}/custody", headers=people.admin).json()
    assert (log[-1]["action"], log[-1]["actor"]) == ("exported", "commander")
