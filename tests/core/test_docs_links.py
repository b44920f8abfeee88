"""Every relative link in the README, the changelog and docs/ leads somewhere.

A link names an existing file or folder of the repository, and a ``#anchor``
names a heading of the page it points into, spelled as GitHub spells heading
anchors (lowercase, punctuation dropped, spaces as hyphens, ``-1``, ``-2`` for
repeats). Links inside code blocks and inline code are not links; web addresses
are not checked (the tests run offline).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def prose(text: str) -> list[str]:
    """The page's lines outside fenced code blocks, with inline code removed."""
    lines, fenced = [], False
    for line in text.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            continue
        if not fenced:
            lines.append(re.sub(r"`[^`]*`", "", line))
    return lines


def slug(heading: str) -> str:
    """GitHub's anchor for a heading's text."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "")
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    seen: Counter[str] = Counter()
    found = set()
    in_code = False
    for line in page.read_text().splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            in_code = not in_code
            continue
        match = None if in_code else HEADING.match(line)
        if match:
            base = slug(match.group(1))
            found.add(f"{base}-{seen[base]}" if seen[base] else base)
            seen[base] += 1
    return found


def broken_links(page: Path) -> list[str]:
    broken = []
    for line in prose(page.read_text()):
        for target in LINK.findall(line):
            if EXTERNAL.match(target):
                continue
            path, _, anchor = target.partition("#")
            dest = (page.parent / path).resolve() if path else page
            if not dest.exists():
                broken.append(f"{target}: no such file")
            elif anchor and (dest.is_dir() or dest.suffix != ".md"):
                broken.append(f"{target}: an anchor into a file that is not a page")
            elif anchor and anchor not in anchors(dest):
                broken.append(f"{target}: {dest.name} has no heading #{anchor}")
    return broken


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_relative_link_resolves(page: Path) -> None:
    assert not broken_links(page), f"{page.relative_to(ROOT)}: {broken_links(page)}"


def test_the_readme_maps_every_docs_page() -> None:
    readme = (ROOT / "README.md").read_text()
    unmapped = [page.name for page in PAGES if page.parent == ROOT / "docs"
                and f"](docs/{page.name})" not in readme]
    assert not unmapped, f"add these pages to the README's map: {unmapped}"


def test_slugs_follow_github() -> None:
    assert slug("Rotating warroom's keys after a compromise") == \
        "rotating-warrooms-keys-after-a-compromise"
    assert slug("Alert intake: `bench/intake.py`") == "alert-intake-benchintakepy"
    assert slug("Channels and the SMS/voice gateway") == "channels-and-the-smsvoice-gateway"
    assert slug("Dedup, grouping and resolution") == "dedup-grouping-and-resolution"


def test_a_broken_link_and_a_missing_anchor_are_found(tmp_path: Path) -> None:
    (tmp_path / "other.md").write_text("# Other\n\n## A heading\n\n## A heading\n")
    page = tmp_path / "page.md"
    page.write_text("[ok](other.md#a-heading-1) [gone](missing.md) [bad](other.md#nope)\n"
                    "[self](#local) `[code](missing.md)`\n\n## Local\n\n"
                    "```\n[fenced](missing.md)\n```\n[web](https://example.com/x)\n")
    assert broken_links(page) == ["missing.md: no such file",
                                  "other.md#nope: other.md has no heading #nope"]
