"""Field-by-field comparison of an answer with PagerDuty's documented example."""

from __future__ import annotations

from typing import Any

OBJECT_TYPES = {"incident", "service", "escalation_policy", "schedule", "user"}
MIXED = (".targets[", ".agent")
"""Where PagerDuty itself mixes reference types (a rule targets users or
schedules; a log entry's agent is a user or a service)."""


def assert_shape(expected: Any, actual: Any, path: str = "$",
                 nullable: frozenset[str] = frozenset()) -> None:
    """Every field of ``expected`` is in ``actual`` with the same JSON type;
    a scalar may be null (PagerDuty sends null for unset ones), an object
    only where ``nullable`` names its path. References keep PagerDuty's
    ``type``; list items are each compared with the example's first item."""
    if isinstance(expected, dict):
        if actual is None and path in nullable:
            return
        assert isinstance(actual, dict), f"{path}: expected an object, got {actual!r}"
        for key, value in expected.items():
            assert key in actual, f"{path}.{key} is missing"
            if key == "type" and isinstance(value, str) and value.endswith("_reference") \
                    and any(part in path for part in MIXED):
                assert str(actual[key]).endswith("_reference"), f"{path}.type: {actual[key]!r}"
            elif key == "type" and isinstance(value, str) and (
                    value.endswith("_reference") or value in OBJECT_TYPES):
                assert actual[key] == value, f"{path}.type: {actual[key]!r} != {value!r}"
            assert_shape(value, actual[key], f"{path}.{key}", nullable)
    elif isinstance(expected, list):
        assert isinstance(actual, list), f"{path}: expected a list, got {actual!r}"
        if expected:
            for index, item in enumerate(actual):
                assert_shape(expected[0], item, f"{path}[{index}]", nullable)
    elif expected is not None and actual is not None:
        kinds = (int, float) if isinstance(expected, (int, float)) and not isinstance(
            expected, bool) else type(expected)
        assert isinstance(actual, kinds) and (isinstance(actual, bool)
                                              == isinstance(expected, bool)), (
            f"{path}: {actual!r} is not a {type(expected).__name__} like {expected!r}")
