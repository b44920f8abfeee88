"""The domain registry lists every domain package, and what it lists is what
the worker runs."""

from __future__ import annotations

from pathlib import Path

from warroom import registry

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "warroom"


def test_the_registry_lists_every_domain_package_once():
    packages = sorted(path.parent.name for path in PACKAGE.glob("*/__init__.py")
                      if _has_part(path.parent, "models") or _has_part(path.parent, "api")
                      or _has_part(path.parent, "domain"))
    names = [domain.name for domain in registry.DOMAINS]
    assert len(names) == len(set(names))
    assert sorted(names) == packages, "add the missing domain's DOMAIN to warroom/registry.py"


def _has_part(package: Path, part: str) -> bool:
    return (package / f"{part}.py").exists() or (package / part / "__init__.py").exists()


def test_each_domain_object_lives_in_its_own_package():
    for domain in registry.DOMAINS:
        # a domain without tables of its own (the console) has no models
        if domain.models is not None:
            assert domain.models.__name__ == f"warroom.{domain.name}.models"


def test_worker_cycles_come_from_the_registry_with_their_urgency():
    names = [name for name, _ in registry.engine_cycles()]
    assert len(names) == len(set(names))
    assert {"oncall.escalations", "audit.anchor", "playbooks.steps"} <= set(names)
    assert registry.urgent_cycles() == {"oncall.escalations"}
