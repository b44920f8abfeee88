"""Domain errors that carry an HTTP status and a sentence a person understands.

Services raise these; the API turns them into ``application/problem+json``
(RFC 9457) and the CLI prints the sentence. Services never import HTTP code.
"""

from __future__ import annotations

from typing import Any


class Problem(Exception):
    status: int = 400
    title: str = "Bad request"
    slug: str = "bad-request"

    def __init__(self, detail: str, *, status: int | None = None, title: str | None = None,
                 **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra
        if status is not None:
            self.status = status
            self.slug = str(status)
        if title is not None:
            self.title = title
            self.slug = title.lower().replace(" ", "-")

    def body(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"https://warroom.dev/problems/{self.slug}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        body.update(self.extra)
        return body


class BadRequest(Problem):
    pass


class Unauthorized(Problem):
    status, title, slug = 401, "Authentication required", "unauthorized"


class Forbidden(Problem):
    status, title, slug = 403, "Not allowed", "forbidden"


class NotFound(Problem):
    status, title, slug = 404, "Not found", "not-found"


class Conflict(Problem):
    status, title, slug = 409, "Conflict", "conflict"


class Gone(Problem):
    status, title, slug = 410, "Gone", "gone"


class PayloadTooLarge(Problem):
    status, title, slug = 413, "Request body too large", "payload-too-large"


class Invalid(Problem):
    status, title, slug = 422, "Invalid input", "invalid"


class Unavailable(Problem):
    status, title, slug = 503, "Service unavailable", "unavailable"


def one_of(value: object, valid: list[str] | tuple[str, ...], what: str) -> str:
    """'x' is not a <what>; use one of a, b, c."""
    return f"{value!r} is not a valid {what}; use one of: {', '.join(valid)}."
