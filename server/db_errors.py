"""Translate database refusals into domain errors, so a constraint is never a 500."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError

from server.errors import DomainError, ErrorCode

UNIQUE_VIOLATION = "23505"
FOREIGN_KEY_VIOLATION = "23503"
CHECK_VIOLATION = "23514"
NOT_NULL_VIOLATION = "23502"
RETRYABLE = frozenset({"40001", "40P01"})  # serialization failure, deadlock


def sqlstate(error: DBAPIError) -> str | None:
    orig = error.orig
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return str(code) if code else None


def is_retryable(error: DBAPIError) -> bool:
    return sqlstate(error) in RETRYABLE


def to_domain_error(error: DBAPIError) -> DomainError | None:
    match sqlstate(error):
        case "23505":
            return DomainError(ErrorCode.ALREADY_EXISTS, "That already exists.")
        case "23503":
            return DomainError(ErrorCode.NOT_FOUND, "Something it refers to does not exist.")
        case "23514" | "23502":
            return DomainError(ErrorCode.INVALID_INPUT, "That breaks one of the rules.")
        case _:
            return None
