"""Translate database refusals into domain errors, so a constraint is never a 500."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, InterfaceError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from server.errors import DomainError, ErrorCode

T = TypeVar("T")
log = logging.getLogger(__name__)
ATTEMPTS = 3
BUSY = "Many people are making changes at this moment. Try again in a few seconds."

UNIQUE_VIOLATION = "23505"
FOREIGN_KEY_VIOLATION = "23503"
CHECK_VIOLATION = "23514"
NOT_NULL_VIOLATION = "23502"
RETRYABLE = frozenset({"40001", "40P01"})  # serialization failure, deadlock


def sqlstate(error: DBAPIError) -> str | None:
    orig = error.orig
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return str(code) if code else None


# The server went away or is not accepting connections (restarting, shutting down,
# the connection terminated): answered "try again", never a 500.
UNAVAILABLE_CLASSES = ("08", "57P")
UNAVAILABLE = "The database is not answering at this moment. Try again in a few seconds."


def is_unavailable(error: BaseException) -> bool:
    """Whether ``error`` (or what it wraps) means the database cannot be reached now."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError | InterfaceError | PoolTimeout):
            return True
        if isinstance(current, DBAPIError) and (
            current.connection_invalidated
            or (sqlstate(current) or "").startswith(UNAVAILABLE_CLASSES)
        ):
            return True
        code = getattr(current, "sqlstate", None)
        if isinstance(code, str) and code.startswith(UNAVAILABLE_CLASSES):
            return True
        if type(current).__name__ in ("InterfaceError", "ConnectionDoesNotExistError"):
            return True
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__
    return False


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


async def retrying(transaction: Callable[[], Awaitable[T]], attempts: int = ATTEMPTS) -> T:
    """Run ``transaction`` (one whole unit of work) again after a deadlock or a
    serialization failure, with jitter. Still colliding after the last attempt answers
    RATE_LIMITED ("try again", never a 500); a constraint the database enforces answers
    its DomainError; anything else is raised as it is."""
    for attempt in range(1, attempts + 1):
        try:
            return await transaction()
        except DBAPIError as error:
            if is_retryable(error):
                if attempt < attempts:
                    log.info("retrying a transaction after %s", error.orig)
                    await asyncio.sleep(random.uniform(0, 0.05 * attempt))  # noqa: S311
                    continue
                log.warning("a transaction kept colliding: %s", error.orig)
                raise DomainError(ErrorCode.RATE_LIMITED, BUSY) from error
            translated = to_domain_error(error)
            if translated is None:
                raise
            log.warning("the database refused a write: %s", error.orig)
            raise translated from error
    raise AssertionError("unreachable")
