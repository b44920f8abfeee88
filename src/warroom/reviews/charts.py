"""Server-rendered SVG charts of response figures, for the review export and
the console's metrics dashboard (no script, no external asset: every label is
escaped text inside the SVG)."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

WIDTH = 640
BAR = 22
GAP = 10
LEFT = 200
COLOURS = ("#3b6ea5", "#e07b39")


def duration_text(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    seconds = round(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [(days, "d"), (hours, "h"), (minutes, "m"), (secs, "s")]
    text = " ".join(f"{n}{u}" for n, u in parts if n)
    return text or "0s"


def bars(title: str, rows: Sequence[tuple[str, float | None]], *,
         unit: str = "seconds") -> str:
    """A horizontal bar chart: one labelled bar per row (None draws no bar)."""
    top = 34
    height = top + len(rows) * (BAR + GAP) + 10
    peak = max((v for _, v in rows if v is not None), default=0.0) or 1.0
    span = WIDTH - LEFT - 110
    parts = [_open(height, title), _text(10, 20, title, weight="bold")]
    for index, (label, value) in enumerate(rows):
        y = top + index * (BAR + GAP)
        parts.append(_text(LEFT - 8, y + BAR * 0.7, label, anchor="end"))
        if value is not None:
            width = max(1.0, span * value / peak)
            parts.append(f'<rect x="{LEFT}" y="{y}" width="{width:.1f}" height="{BAR}" '
                         f'fill="{COLOURS[0]}"/>')
        shown = _value(value, unit)
        parts.append(_text(LEFT + (span * (value or 0) / peak) + 6, y + BAR * 0.7, shown))
    parts.append("</svg>")
    return "".join(parts)


def p50_p90(title: str, rows: Sequence[tuple[str, float | None, float | None]]) -> str:
    """Paired bars per group: p50 and p90 of a duration."""
    top = 50
    pair = 2 * BAR + GAP
    height = top + len(rows) * pair + 10
    peak = max((v for _, a, b in rows for v in (a, b) if v is not None), default=0.0) or 1.0
    span = WIDTH - LEFT - 110
    parts = [_open(height, title), _text(10, 20, title, weight="bold"),
             f'<rect x="{LEFT}" y="28" width="10" height="10" fill="{COLOURS[0]}"/>',
             _text(LEFT + 14, 37, "p50"),
             f'<rect x="{LEFT + 60}" y="28" width="10" height="10" fill="{COLOURS[1]}"/>',
             _text(LEFT + 74, 37, "p90")]
    for index, (label, p50, p90) in enumerate(rows):
        y = top + index * pair
        parts.append(_text(LEFT - 8, y + BAR, label, anchor="end"))
        for offset, (value, colour) in enumerate(((p50, COLOURS[0]), (p90, COLOURS[1]))):
            if value is None:
                continue
            width = max(1.0, span * value / peak)
            yy = y + offset * (BAR // 2 + 2)
            parts.append(f'<rect x="{LEFT}" y="{yy}" width="{width:.1f}" '
                         f'height="{BAR // 2}" fill="{colour}"/>')
            parts.append(_text(LEFT + width + 6, yy + BAR // 2 - 1, duration_text(value)))
    parts.append("</svg>")
    return "".join(parts)


def _open(height: int, title: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
            f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}" '
            f'font-family="sans-serif" font-size="12"><title>{escape(title)}</title>')


def _text(x: float, y: float, text: str, *, anchor: str = "start", weight: str = "normal"
          ) -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-weight="{weight}">'
            f"{escape(text)}</text>")


def _value(value: float | None, unit: str) -> str:
    if value is None:
        return "not yet"
    return duration_text(value) if unit == "seconds" else f"{value:g}"
