"""Regimes are data: every profile validates and names its sources; the
96-hour Omnibus variant takes over with one edit to one file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from tests.compliance.conftest import HOUR
from warroom.compliance import clocks, regimes, service
from warroom.errors import Invalid

SHIPPED = Path(__file__).resolve().parents[2] / "rules" / "regimes"


def test_shipped_profiles_validate_and_cite_their_sources():
    found = regimes.load_all(SHIPPED)
    assert set(found) == {"gdpr", "nis2", "dora", "gdpr-omnibus-draft"}
    assert found["gdpr-omnibus-draft"].enabled is False
    for regime in found.values():
        assert regime.source and regime.as_of
        assert all(o.source for o in regime.obligations)


def test_a_profile_without_a_source_fails(tmp_path):
    data = yaml.safe_load((SHIPPED / "gdpr.yaml").read_text())
    del data["obligations"][0]["source"]
    (tmp_path / "gdpr.yaml").write_text(yaml.safe_dump(data))
    with pytest.raises(Invalid, match="source"):
        regimes.load_all(tmp_path)


def test_enabling_the_96_hour_profile_changes_the_deadline_with_one_file(
        tmp_path, configure, confirmed, database, clock):
    folder = tmp_path / "regimes"
    shutil.copytree(SHIPPED, folder)
    configure(COMPLIANCE_REGIMES_DIR=str(folder))
    draft = folder / "gdpr-omnibus-draft.yaml"
    draft.write_text(draft.read_text().replace("enabled: false", "enabled: true"))
    start = clock.now()
    ref = confirmed(regimes=("gdpr",))
    with database.read() as session:
        breach = service.get_by_ref_or_raise(session, ref=ref)
        (clock_row,) = clocks.clocks_of(session, breach_id=breach.id)
    assert clock_row.due_at == start + 96 * HOUR
    assert "Omnibus" in clock_row.source
