"""The review as a document: Markdown, standalone HTML and PDF.

The editable sections are Markdown written by people; rendered to HTML they
go through markdown-it (raw HTML off) and then nh3's allow-list, so a section
cannot carry a script or a remote image into the export or the console. The
facts come from :mod:`warroom.reviews.facts`; the charts are inline SVG from
:mod:`warroom.reviews.charts`.
"""

from __future__ import annotations

from functools import lru_cache
from html import escape
from typing import TYPE_CHECKING, Any

import nh3
from markdown_it import MarkdownIt

from warroom.errors import Unavailable
from warroom.reviews import charts, sections
from warroom.reviews.items import ref as item_ref

if TYPE_CHECKING:
    from datetime import datetime

    from warroom.reviews.models import ActionItem, Review

FORMATS = ("markdown", "html", "pdf")
_MD = MarkdownIt("commonmark", {"html": False}).enable("table")
# table-layout:fixed: columns share the width instead of being measured from
# every cell's text, so WeasyPrint lays each cell out once (about a fifth of a
# PDF export's time).
_CSS = """body{font-family:sans-serif;max-width:46em;margin:2em auto;color:#222;line-height:1.4}
table{table-layout:fixed;border-collapse:collapse;width:100%;font-size:.9em}
td,th{border:1px solid #ccc;padding:.25em .4em;text-align:left;vertical-align:top}
h1{font-size:1.6em}h2{font-size:1.25em;border-bottom:1px solid #ddd;margin-top:1.6em}
.drill{color:#a00;font-weight:bold}"""


_TAGS = set(nh3.ALLOWED_TAGS) - {"img"}
"""No images: a remote one would be fetched by every reader (a tracking pixel)."""


def sanitise(markdown: str) -> str:
    """A section's Markdown as safe HTML."""
    return nh3.clean(_MD.render(markdown), tags=_TAGS, url_schemes={"http", "https", "mailto"})


def markdown(review: Review, facts: dict[str, Any], action_items: list[ActionItem]) -> str:
    lines = [f"# Post-incident review: {facts['incident']} {facts['title']}", ""]
    if facts["is_drill"]:
        lines += ["**[DRILL]** This incident was a drill.", ""]
    lines += [f"Review state: {review.state}" + (f" (waived: {review.waiver_reason})"
                                                 if review.waiver_reason else ""),
              f"Due: {_when(review.due_at)}", ""]
    lines += ["## Facts", "", "| | |", "| --- | --- |"]
    lines += [f"| {name} | {_cell(value)} |" for name, value in _fact_rows(facts)]
    lines += ["", "## Response figures", "", "| Figure | Value | From | To |",
              "| --- | --- | --- | --- |"]
    for figure in facts["figures"]:
        lines.append(f"| {figure['title']} | {_figure(figure)} | {figure['start']} | "
                     f"{figure['end']} |")
    for name, title, _ in sections.SECTIONS:
        lines += ["", f"## {title}", "", review.sections.get(name, "").strip() or "_(empty)_"]
        if name == "timeline_notes":
            lines += ["", "### Key events", "", "| When (UTC) | Who | What |",
                      "| --- | --- | --- |"]
            lines += [f"| {_when(e['at'])} | {_cell(e['actor'])} | {_cell(e['summary'])} |"
                      for e in facts["key_events"]]
    lines += ["", "## Action items", "", "| Item | Title | Owner | Priority | Due | Status |",
              "| --- | --- | --- | --- | --- | --- |"]
    lines += [f"| {item_ref(i)} | {_cell(i.title)} | {i.owner or '-'} | {i.priority} | "
              f"{_when(i.due_at)} | {i.status} |" for i in action_items]
    if review.signoffs:
        lines += ["", "## Sign-off", ""]
        lines += [f"- {s.get('by')} at {s.get('at')}" for s in review.signoffs]
    return "\n".join(lines) + "\n"


def html(review: Review, facts: dict[str, Any], action_items: list[ActionItem]) -> str:
    """A standalone page: its CSS inline, its charts inline SVG, no script."""
    body = [f"<h1>Post-incident review: {escape(facts['incident'])} "
            f"{escape(facts['title'])}</h1>"]
    if facts["is_drill"]:
        body.append('<p class="drill">[DRILL] This incident was a drill.</p>')
    body.append(f"<p>Review state: {escape(review.state)}. Due {_when(review.due_at)}.</p>")
    body.append("<h2>Facts</h2><table>" + "".join(
        f"<tr><th>{escape(n)}</th><td>{escape(_cell(v))}</td></tr>"
        for n, v in _fact_rows(facts)) + "</table>")
    body.append("<h2>Response figures</h2>" + figures_chart(facts))
    body.append("<table><tr><th>Figure</th><th>Value</th><th>From</th><th>To</th></tr>" + "".join(
        f"<tr><td>{escape(f['title'])}</td><td>{escape(_figure(f))}</td>"
        f"<td>{escape(f['start'])}</td><td>{escape(f['end'])}</td></tr>"
        for f in facts["figures"]) + "</table>")
    for name, title, _ in sections.SECTIONS:
        text = review.sections.get(name, "").strip()
        body.append(f"<h2>{escape(title)}</h2>" + (sanitise(text) if text
                                                     else "<p><em>(empty)</em></p>"))
        if name == "timeline_notes":
            body.append("<h3>Key events</h3><table><tr><th>When (UTC)</th><th>Who</th>"
                        "<th>What</th></tr>" + "".join(
                            f"<tr><td>{_when(e['at'])}</td><td>{escape(e['actor'])}</td>"
                            f"<td>{escape(e['summary'])}</td></tr>"
                            for e in facts["key_events"]) + "</table>")
    body.append("<h2>Action items</h2><table><tr><th>Item</th><th>Title</th><th>Owner</th>"
                "<th>Priority</th><th>Due</th><th>Status</th></tr>" + "".join(
                    f"<tr><td>{item_ref(i)}</td><td>{escape(i.title)}</td>"
                    f"<td>{escape(i.owner or '-')}</td><td>{i.priority}</td>"
                    f"<td>{_when(i.due_at)}</td><td>{i.status}</td></tr>"
                    for i in action_items) + "</table>")
    title = escape(f"{facts['incident']} review")
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
            f"<style>{_CSS}</style></head><body>{''.join(body)}</body></html>")


@lru_cache(maxsize=1)
def pdf_available() -> bool:
    """Whether WeasyPrint (and the Pango it needs) imports here, so a screen
    offers a PDF link only where :func:`pdf` can print."""
    try:
        import weasyprint  # type: ignore[import-untyped]  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


def pdf(page: str) -> bytes:
    """The standalone HTML printed to PDF (no URL is fetched: base_url is unset
    and the page references nothing outside itself). WeasyPrint is imported
    here, not with the module: it needs the system's Pango, and warroom must
    start (and export Markdown and HTML) on a machine without it."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as missing:  # OSError: Pango itself is missing
        raise Unavailable("PDF export needs the Pango libraries (Debian: libpango-1.0-0 "
                          "libpangoft2-1.0-0); Markdown and HTML export work without "
                          "them.") from missing
    rendered: bytes = HTML(string=page, url_fetcher=_refuse).write_pdf()
    return rendered


def figures_chart(facts: dict[str, Any]) -> str:
    rows = [(f["title"], f["value"]) for f in facts["figures"] if f["unit"] == "seconds"]
    return charts.bars("Response figures of this incident", rows)


def _refuse(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"the review export fetches nothing ({url[:60]})")


def _fact_rows(facts: dict[str, Any]) -> list[tuple[str, Any]]:
    pages = facts["pages"]
    steps = facts["playbook_steps"]
    answered = f"answered by {pages['answered_by']}" if pages["answered"] else "unanswered"
    return [
        ("Incident", facts["incident"]), ("Type", facts["type"]),
        ("Severity", f"{facts['severity']} ({facts['severity_name']})"),
        ("Services", ", ".join(facts["services"]) or "-"),
        ("Started", _when(facts["started_at"])), ("Detected", _when(facts["detected_at"])),
        ("Declared", _when(facts["declared_at"])),
        ("Acknowledged", f"{_when(facts['acknowledged_at'])} by "
                         f"{facts['acknowledged_by'] or '-'}"),
        ("Contained", _when(facts["contained_at"])), ("Resolved", _when(facts["resolved_at"])),
        ("Duration", charts.duration_text(facts["duration_seconds"])),
        ("Pages", f"{pages['sent']} sent to {pages['people']} people; {answered}"),
        ("Messages sent", str(len(facts["comms"]))),
        ("Status page notices", str(len(facts["status_notices"]))),
        ("Playbook steps", f"{steps['done']} done, {steps['skipped']} skipped, "
                           f"{steps['overridden']} overridden, {steps['failed']} failed, "
                           f"{steps['pending']} not done, of {steps['total']}"),
    ]


def _figure(figure: dict[str, Any]) -> str:
    if figure["value"] is None:
        return "not yet"
    text = charts.duration_text(figure["value"]) if figure["unit"] == "seconds" \
        else f"{figure['value']:g}"
    if figure.get("met") is not None:
        text += " (met)" if figure["met"] else " (missed)"
    return text


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else "-"


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")
