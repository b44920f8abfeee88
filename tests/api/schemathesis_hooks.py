"""Schemathesis hooks for the API fuzzing pass (loaded through SCHEMATHESIS_HOOKS).

TEMPORARY: two known classes of server error are being fixed on their own:
strings holding a NUL character, which PostgreSQL refuses, and integers out of
a column's range (2**63 and more overflow SQLite and BIGINT; on PostgreSQL an
INTEGER id column already overflows at 2**31). A 5xx caused by a request that
carries such a value is set aside here, and written to the file named by
WARROOM_FUZZ_SET_ASIDE so that the test reports it; every other 5xx fails the
run. Remove this hook once both fixes are in.
"""

from __future__ import annotations

import json
import os
from typing import Any

import schemathesis

OUT_OF_RANGE = 2**31 - 1  # PostgreSQL INTEGER; BIGINT and SQLite end at 2**63 - 1


def known_class(value: Any) -> str | None:
    """'nul' or 'integer range' when the value holds one of the known inputs."""
    if isinstance(value, str):
        if "\x00" in value:
            return "nul"
        digits = value.strip().lstrip("+-")
        if digits.isdigit() and len(digits) >= 10 and int(digits) > OUT_OF_RANGE:
            return "integer range"
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return "integer range" if abs(value) > OUT_OF_RANGE else None
    items = value.values() if isinstance(value, dict) else value if isinstance(
        value, list | tuple) else ()
    keys = value.keys() if isinstance(value, dict) else ()
    return next((found for found in map(known_class, [*keys, *items]) if found), None)


@schemathesis.hook
def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
    if response is None or response.status_code < 500:
        return True
    parts = [case.path_parameters, case.query, case.body]
    found = known_class([part for part in parts if part is not None])
    if found is None:
        return True
    path = os.environ.get("WARROOM_FUZZ_SET_ASIDE")
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps({"class": found, "operation":
                                  f"{case.method} {case.operation.path}"}) + "\n")
    return False
