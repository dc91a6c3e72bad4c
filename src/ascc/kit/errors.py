"""Domain errors carry their HTTP status; one handler renders them (problem+json or a page)."""

from __future__ import annotations


class DomainError(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, detail: str, **extra: object):
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(DomainError):
    status = 404
    title = "Not found"


class Conflict(DomainError):
    status = 409
    title = "Conflict"


class Invalid(DomainError):
    status = 422
    title = "Invalid parameter"


class Unauthorized(DomainError):
    status = 401
    title = "Sign-in required"


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"


class PreconditionFailed(DomainError):
    status = 412
    title = "Precondition failed"


class PreconditionRequired(DomainError):
    status = 428
    title = "Precondition required"


class TooManyRequests(DomainError):
    status = 429
    title = "Too many requests"
