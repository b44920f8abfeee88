"""A breach draft as a PDF (``/breaches/{ref}/draft.pdf?kind=``), for the
person who sends it or files it.

The page is a standalone HTML document built from the draft (no URL is
fetched) and printed by the reviews' PDF helper
(:func:`warroom.reviews.export.pdf`), which imports WeasyPrint only when a
PDF is asked for: warroom starts without Pango, and the answer then says
what to install.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from warroom.reviews import export

if TYPE_CHECKING:
    from warroom.compliance.drafts import Draft

_CSS = ("body{font-family:sans-serif;font-size:11pt;line-height:1.4;color:#111}"
        "h1{font-size:16pt}h2{font-size:13pt;margin-top:14pt}dt{font-weight:bold}"
        "dd{margin:0 0 6pt 0;white-space:pre-wrap}.missing{color:#a30000}"
        "footer{margin-top:18pt;font-size:9pt;color:#444}")


def page(draft: Draft, *, ref: str, is_drill: bool) -> str:
    """The draft as one self-contained HTML page."""
    title = f"{'[DRILL] ' if is_drill else ''}{draft.title}"
    body = [f"<h1>{escape(title)}</h1>", f"<p>Breach record {escape(ref)}</p>"]
    for heading, items in draft.sections:
        body.append(f"<h2>{escape(heading)}</h2><dl>")
        for label, value in items:
            shown = escape(value) if value else '<span class="missing">[MISSING]</span>'
            body.append(f"<dt>{escape(label)}</dt><dd>{shown}</dd>")
        body.append("</dl>")
    if draft.missing:
        body.append("<h2>Still missing</h2><ul>" + "".join(
            f"<li>{escape(label)}</li>" for label in draft.missing) + "</ul>")
    body.append("<footer>Drafted by warroom from the breach register; check it before "
                "sending. This is not legal advice.</footer>")
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f"<title>{escape(title)}</title><style>{_CSS}</style></head>"
            f"<body>{''.join(body)}</body></html>")


def pdf(draft: Draft, *, ref: str, is_drill: bool) -> bytes:
    """The PDF (Unavailable, with what to install, when Pango is missing)."""
    return export.pdf(page(draft, ref=ref, is_drill=is_drill))
