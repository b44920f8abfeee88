"""Domains call each other's services, never each other's tables.

The rule is written as import-linter contracts in ``pyproject.toml``; these
tests run them (so the rule fails in pytest as well as in ``make test``), show
that they catch a module reaching into another domain, and keep the contracts
complete as modules and domains are added.
"""

from __future__ import annotations

import os
import pkgutil
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import warroom

ROOT = Path(__file__).resolve().parents[2]
SOURCES = Path(warroom.__file__).resolve().parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

# What each domain offers the others; every other module of the domain must be
# named in that domain's contract, so a new module is private until it is
# deliberately made public here and there.
PUBLIC = {
    "auth": {"service", "schemas", "deps", "permissions", "links", "rotation", "passwords",
             "sessions", "throttle", "settings"},
    "audit": {"service", "chain", "verify"},
    "incidents": {"service", "schemas", "hooks", "catalog", "phases", "timeline", "views"},
    "notify": {"service", "hooks", "channels"},
    "comms": {"service", "schemas", "context", "templates"},
    "evidence": {"service", "schemas", "exporting"},
    "reviews": {"service", "items", "aggregate", "facts", "export", "charts", "schemas",
                "figures", "definitions", "sections", "meetings"},
}
NOT_DOMAINS = {"migrations"}


def _contracts() -> list[dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return config["tool"]["importlinter"]["contracts"]


def _lint(sources: Path, config: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(sources.parent)}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--config", str(config)],
                          cwd=config.parent, env=env, capture_output=True, text=True,
                          timeout=300, check=False)


def test_the_import_contracts_hold():
    result = _lint(SOURCES, ROOT / "pyproject.toml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_module_reading_another_domains_table_breaks_a_contract(tmp_path):
    copy = tmp_path / "src" / "warroom"
    shutil.copytree(SOURCES, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "comms" / "shortcut.py").write_text(
        "from warroom.incidents.models import Incident\n\nOPEN = Incident.__table__\n")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    result = _lint(copy, tmp_path / "pyproject.toml")
    assert result.returncode != 0
    assert "warroom.comms.shortcut -> warroom.incidents.models" in result.stdout


def test_every_module_of_a_domain_is_public_or_forbidden():
    forbidden = {c["name"]: set(c["forbidden_modules"]) for c in _contracts()
                 if c["type"] == "forbidden"}
    for domain, public in PUBLIC.items():
        named = [modules for modules in forbidden.values()
                 if all(m.startswith(f"warroom.{domain}.") for m in modules)]
        assert len(named) == 1, f"one contract should name the private modules of {domain}"
        private = {m.removeprefix(f"warroom.{domain}.") for m in named[0]}
        modules = {m.name for m in pkgutil.iter_modules([str(SOURCES / domain)])}
        assert modules - public == private, (
            f"{domain}: add new modules to its contract in pyproject.toml, or to PUBLIC here")


def test_every_domain_has_a_place_in_the_layers():
    layers = next(c["layers"] for c in _contracts() if c["type"] == "layers")
    names = [name.strip() for layer in layers for name in layer.replace(":", "|").split("|")]
    # "(warroom.x)" is an optional layer: a place kept for a domain still to come.
    required = {n.removeprefix("warroom.") for n in names if not n.startswith("(")}
    optional = {n.strip("()").removeprefix("warroom.") for n in names if n.startswith("(")}
    packages = {m.name for m in pkgutil.iter_modules([str(SOURCES)]) if m.ispkg}
    assert required <= packages - NOT_DOMAINS <= required | optional
