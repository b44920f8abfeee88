"""PagerDuty-style ids for warroom's objects.

PagerDuty ids are short upper-case strings starting with ``P`` (``PT4KHLK``).
Scripts store them and send them back, so each must name one warroom object
for good. Numbered objects (incidents, users, schedules, timeline events)
get a two-letter prefix and their number in base 36, padded to seven
characters like PagerDuty's (INC-42 is ``PI00016``): reversible, no table.
Named objects (services, escalation policies) get the prefix and five
characters of a hash of their name: stable while the name is.
"""

from __future__ import annotations

import base64
import hashlib

from warroom.incidents import service as incidents

DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
INCIDENT, USER, SCHEDULE, LOG_ENTRY, NOTE = "PI", "PU", "PS", "PL", "PN"
SERVICE, POLICY = "PV", "PE"
WIDTH = 5


def numbered(prefix: str, number: int) -> str:
    digits = ""
    while number:
        number, rest = divmod(number, 36)
        digits = DIGITS[rest] + digits
    return prefix + digits.rjust(WIDTH, "0")


def number(prefix: str, text: str) -> int | None:
    """The number inside a numbered id, or None when ``text`` is not one."""
    text = str(text).strip().upper()
    if not text.startswith(prefix) or len(text) <= len(prefix) or len(text) > 16:
        return None
    value = 0
    for char in text[len(prefix):]:
        if char not in DIGITS:
            return None
        value = value * 36 + DIGITS.index(char)
    return value


def named(prefix: str, name: str) -> str:
    digest = hashlib.sha256(name.encode()).digest()
    return prefix + base64.b32encode(digest).decode()[:WIDTH]


def incident_number(text: str) -> int | None:
    """An incident named by its PagerDuty id (``PI00016``), its warroom ref
    (``INC-42``) or its number (``42``, PagerDuty's ``incident_number``)."""
    found = number(INCIDENT, text)
    if found is not None:
        return found
    match = incidents.REF.match(str(text).strip())
    return int(match.group(1)) if match else None
