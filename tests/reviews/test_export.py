"""Export: Markdown, standalone HTML and PDF (its text read back with
pdftotext), with the facts from the record and the figures chart."""

from __future__ import annotations

import subprocess
import sys

import pytest

from warroom.errors import Unavailable
from warroom.incidents import service as incidents
from warroom.reviews import charts, export, service
from warroom.reviews.api import render

TO_LESSONS = [("ack", 3), ("recovery", 20), ("lessons_learned", 30)]


@pytest.fixture
def reviewed(declare, walk, work):
    ref = declare(severity="sev2", services=["chat"], title="Chat is down")
    walk(ref, TO_LESSONS)
    with work() as uow:
        service.edit(uow, incident=incidents.get_for_update(uow, ref=ref), changes={
            "overview": "Chat was **down** for 53 minutes.\n\n<img src=http://evil/x.png> "
                        "![pixel](http://evil/y.png)",
            "root_cause_primary": "A config push removed the pool limit.",
            "lessons": "[runbook](javascript:alert(1)) needs a rollback step"})
    return ref


def rendered(database, ref, form):
    with database.read() as session:
        return render(session, incidents.get_by_ref_or_raise(session, ref=ref), form)


def test_markdown_has_facts_figures_and_sections(reviewed, database):
    text = rendered(database, reviewed, "markdown").decode()
    assert f"# Post-incident review: {reviewed} Chat is down" in text
    assert "| Severity | sev2 (High) |" in text
    assert "| Time to acknowledge (MTTA) | 3m | detected | acknowledged |" in text
    assert "A config push removed the pool limit." in text
    assert "Phase recovery -> lessons_learned" in text  # key events with who


def test_html_is_sanitised_and_standalone(reviewed, database):
    page = rendered(database, reviewed, "html").decode()
    assert "<strong>down</strong>" in page
    assert "<img" not in page and 'href="javascript' not in page and "<script" not in page
    assert "<svg" in page and 'src="http://evil' not in page


def test_pdf_text_reads_back(reviewed, database, tmp_path):
    pdf = rendered(database, reviewed, "pdf")
    assert pdf.startswith(b"%PDF")
    path = tmp_path / "review.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert f"Post-incident review: {reviewed}" in text
    assert "A config push removed the pool limit." in text
    assert "Response figures of this incident" in text  # the chart's title


def test_sanitise_drops_raw_html():
    assert export.sanitise("<b onclick=x>hi</b> *ok*") == "<p>&lt;b onclick=x&gt;hi&lt;/b&gt; " \
                                                           "<em>ok</em></p>\n"


def test_chart_escapes_labels():
    svg = charts.bars("t<", [("a&b", 60.0), ("none", None)])
    assert "a&amp;b" in svg and "t&lt;" in svg and "not yet" in svg


def test_without_weasyprint_or_pango_pdf_export_says_what_is_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # the import now fails
    with pytest.raises(Unavailable, match="Pango"):
        export.pdf("<html><body>x</body></html>")
