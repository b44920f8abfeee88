"""The page works without JavaScript, reads on a phone, and meets basic
accessibility: landmarks, labels, text alternatives and contrast."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from importlib import resources

import pytest

from tests.statuspage.support import SEED_STATUS, post


class Outline(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def all(self, tag):
        return [attrs for name, attrs in self.tags if name == tag]


@pytest.fixture
def outline(public, people):
    post(public, people, "/api/v1/admin/status", SEED_STATUS)
    parsed = Outline()
    parsed.feed(public.get("/status").text)
    return parsed


def test_the_page_has_landmarks_a_language_and_one_title(outline):
    assert outline.all("html")[0]["lang"] == "en"
    for landmark in ("header", "nav", "main", "footer"):
        assert outline.all(landmark), landmark
    assert outline.all("nav")[0]["aria-label"]
    assert len(outline.all("h1")) == 1


def test_the_page_needs_no_javascript_and_fits_a_phone(outline):
    assert outline.all("script") == []
    viewport = [m for m in outline.all("meta") if m.get("name") == "viewport"]
    assert viewport and "width=device-width" in viewport[0]["content"]
    assert outline.all("form")[0]["method"] == "post"


def test_every_field_has_a_label_and_every_graphic_a_text(outline):
    labelled = {attrs["for"] for attrs in outline.all("label")}
    assert all(attrs["id"] in labelled for attrs in outline.all("input")
               if attrs.get("type") != "hidden")
    graphics = outline.all("svg")
    assert len(graphics) == 3
    assert all(g["role"] == "img" and "uptime" in g["aria-label"] for g in graphics)


def test_statuses_are_written_out_not_only_coloured(public, people):
    post(public, people, "/api/v1/admin/status", SEED_STATUS)
    html = public.get("/status").text
    assert re.search(r">media<.*?>Degraded performance<", html, re.S)
    assert html.count(">Operational<") == 2


def _colours() -> dict[str, str]:
    css = resources.files("warroom.statuspage").joinpath("static/status.css").read_text()
    return dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-f]{6})", css))


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("text", ["text", "muted", "operational", "minor", "major",
                                  "critical", "maintenance"])
@pytest.mark.parametrize("background", ["page", "card"])
def test_text_colours_have_enough_contrast(text, background):
    colours = _colours()
    assert _contrast(colours[text], colours[background]) >= 4.5


@pytest.mark.parametrize("background", ["operational", "minor", "major", "critical",
                                        "maintenance"])
def test_banner_text_has_enough_contrast(background):
    colours = _colours()
    assert _contrast(colours["on-colour"], colours[background]) >= 4.5
