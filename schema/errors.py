"""Errors clients see: user errors on payloads, and GraphQL errors with a code."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from server import db_errors
from server.errors import DomainError, ErrorCode

strawberry.enum(ErrorCode, name="UserErrorCode")


@strawberry.type
class UserError:
    code: ErrorCode
    message: str
    field: list[str] = strawberry.field(
        description='Input path of the offending field, e.g. ["entries", "2", "points"]; '
        "empty if none."
    )

    @classmethod
    def of(cls, error: DomainError) -> UserError:
        return cls(code=error.code, message=error.message, field=list(error.field))


class ExpectedGraphQLError(GraphQLError):
    """An error meant for the client as written (never masked)."""

    def __init__(self, message: str, code: ErrorCode) -> None:
        super().__init__(message, extensions={"code": code.value})


def unauthenticated() -> ExpectedGraphQLError:
    return ExpectedGraphQLError(
        "Sign in, or send an API token, to read this.", ErrorCode.UNAUTHENTICATED
    )


BUSY = db_errors.BUSY


def busy(error: Exception) -> ExpectedGraphQLError:
    """No database connection came free in time (overload), or the database is not
    answering (restarting): the client should retry."""
    if isinstance(error, PoolTimeout):
        return ExpectedGraphQLError(BUSY, ErrorCode.RATE_LIMITED)
    return ExpectedGraphQLError(db_errors.UNAVAILABLE, ErrorCode.RATE_LIMITED)


def bad_argument(message: str) -> ExpectedGraphQLError:
    return ExpectedGraphQLError(message, ErrorCode.INVALID_INPUT)
