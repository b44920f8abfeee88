"""Drafts rendered from the record: to the supervisory authority, to the data
subjects, and a public communication.

The authority draft follows the sections of the EDPB's common breach
notification template (draft adopted 10 June 2026): type of notification;
controller, reporter and DPO; nature; consequences; mitigation; communication
to data subjects. Every GDPR Art. 33(3) item is present or named in
``missing``, so a phased notification (Art. 33(4)) says what follows later.
A draft is text for a person to check and send; it is not legal advice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from warroom.compliance import audience, notices
from warroom.compliance import settings as compliance_settings
from warroom.errors import Invalid, one_of

if TYPE_CHECKING:
    from datetime import datetime

    from warroom.compliance.models import Breach

KINDS = ("sa", "subjects", "public")
MISSING = "MISSING"
ART34 = {"a": "the data were protected (for example encrypted) so they are unintelligible",
         "b": "later measures ensure the high risk is no longer likely to materialise",
         "c": "telling each person would take disproportionate effort; a public "
              "communication is made instead"}


@dataclass
class Draft:
    kind: str
    title: str
    sections: list[tuple[str, list[tuple[str, str | None]]]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    text: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "title": self.title, "missing": self.missing,
                "sections": [{"title": title, "items": [{"label": label, "value": value}
                                                        for label, value in items]}
                             for title, items in self.sections], "text": self.text}


def render(breach: Breach, *, kind: str, reporter: str, now: datetime) -> Draft:
    if kind not in KINDS:
        raise Invalid(one_of(kind, KINDS, "draft"))
    if kind == "sa":
        return _authority(breach, reporter, now)
    if kind == "subjects":
        return _subjects(breach)
    return _public(breach)


def _authority(breach: Breach, reporter: str, now: datetime) -> Draft:
    settings = compliance_settings.get()
    known = dict(notices.facts(breach))
    phased = "complete" if breach.state in ("notified", "subjects_notified") else "initial"
    late = breach.aware_at is not None and (now - breach.aware_at).total_seconds() > 72 * 3600
    sections: list[tuple[str, list[tuple[str, str | None]]]] = [
        ("1. Type of notification", [
            ("Notification", f"{phased} (information may follow in phases, GDPR Art. 33(4))"),
            ("Our role", breach.role), ("Cross-border", "yes" if breach.cross_border else "no"),
            ("Lead or competent authority", breach.lead_authority or breach.competent_authority),
            ("Reasons for delay", breach.reasons_for_delay if late else "not late")]),
        ("2. Controller, reporter and DPO", [
            ("Controller", settings.compliance_controller), ("Reporter", reporter),
            ("DPO or contact point (Art. 33(3)(b))", settings.compliance_dpo_name),
            ("Contact", audience.dpo_address())]),
        ("3. Nature of the breach", [
            ("Became aware", _when(breach.aware_at)),
            ("Basis of awareness", breach.awareness_basis),
            *[(label, known[label]) for label in list(known)[:6]]]),
        ("4. Likely consequences", [
            ("Likely consequences (Art. 33(3)(c))", breach.likely_consequences),
            ("Risk to the rights and freedoms", _risk(breach))]),
        ("5. Mitigation and prevention", [
            ("Measures taken (Art. 33(3)(d))", breach.measures_taken),
            ("Measures proposed (Art. 33(3)(d))", breach.measures_proposed)]),
        ("6. Communication to data subjects", [
            ("Data subjects told", _subjects_told(breach))]),
    ]
    required = {"Nature (Art. 33(3)(a))", "Categories of data subjects",
                "Approximate number of data subjects", "Categories of personal data records",
                "Approximate number of records", "DPO or contact point (Art. 33(3)(b))",
                "Likely consequences (Art. 33(3)(c))", "Measures taken (Art. 33(3)(d))",
                "Measures proposed (Art. 33(3)(d))", "Reasons for delay"}
    missing = [label for _, items in sections for label, value in items
               if label in required and not value]
    draft = Draft(kind="sa", title=f"Personal data breach notification {breach.ref}",
                  sections=sections, missing=missing)
    draft.text = _markdown(draft, breach)
    return draft


def _subjects(breach: Breach) -> Draft:
    """Art. 34(2): clear and plain language, with at least 33(3)(b)-(d)."""
    settings = compliance_settings.get()
    items: list[tuple[str, str | None]] = [
        ("What happened", _plain_nature(breach)),
        ("What this may mean for you", breach.likely_consequences),
        ("What we have done", breach.measures_taken),
        ("What we will do, and what you can do", breach.measures_proposed),
        ("Who to contact", ", ".join(filter(None, (settings.compliance_dpo_name,
                                                  audience.dpo_address())))),
    ]
    draft = Draft(kind="subjects", title=f"Important information about your personal data "
                                         f"({settings.compliance_controller})",
                  sections=[("Notice to the people affected", items)],
                  missing=[label for label, value in items if not value])
    draft.text = _markdown(draft, breach)
    return draft


def _public(breach: Breach) -> Draft:
    """Art. 34(3)(c): for the status page when telling each person is not feasible."""
    settings = compliance_settings.get()
    items: list[tuple[str, str | None]] = [
        ("What happened", _plain_nature(breach)),
        ("Possible consequences", breach.likely_consequences),
        ("What we are doing", breach.measures_taken),
        ("Contact", settings.compliance_dpo_name),
    ]
    draft = Draft(kind="public", title=f"Security notice from {settings.compliance_controller}",
                  sections=[("Public communication", items)],
                  missing=[label for label, value in items if not value])
    draft.text = "\n\n".join(f"{label}: {value or '[' + MISSING + ']'}"
                             for label, value in items)
    return draft


def _markdown(draft: Draft, breach: Breach) -> str:
    lines = [f"# {'[DRILL] ' if breach.is_drill else ''}{draft.title}", ""]
    for title, items in draft.sections:
        lines += [f"## {title}", ""]
        lines += [f"- **{label}:** {value if value else '[' + MISSING + ']'}"
                  for label, value in items]
        lines.append("")
    if draft.missing:
        lines += ["## Still missing", "", *[f"- {label}" for label in draft.missing], ""]
    lines += ["_Drafted by warroom from the breach register; check it before sending. "
              "This is not legal advice._", ""]
    return "\n".join(lines)


def _plain_nature(breach: Breach) -> str | None:
    if not breach.nature:
        return None
    words = {"confidentiality": "someone may have seen or taken",
             "integrity": "someone may have changed", "availability": "we temporarily lost"}
    what = ", ".join(breach.data_categories) or "personal data"
    return f"{breach.title}: " + "; ".join(f"{words[n]} {what}" for n in breach.nature) + "."


def _risk(breach: Breach) -> str | None:
    if breach.risk is None:
        return None
    return f"{breach.risk}: {breach.risk_rationale}" if breach.risk_rationale else breach.risk


def _subjects_told(breach: Breach) -> str:
    if breach.state == "subjects_notified":
        return "yes"
    if breach.art34_exception:
        return f"no: Art. 34(3)({breach.art34_exception}), {ART34[breach.art34_exception]}"
    if breach.risk == "high":
        return "not yet (high risk: they must be told without undue delay)"
    return "not required unless the risk is high"


def _when(moment: datetime | None) -> str | None:
    return f"{moment:%Y-%m-%d %H:%M} UTC" if moment else None
