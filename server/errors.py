"""Domain errors: a stable code (the contract's UserErrorCode), a message, a field path."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum


class ErrorCode(StrEnum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    INVALID_INPUT = "INVALID_INPUT"
    ALREADY_EXISTS = "ALREADY_EXISTS"
    INVALID_STATE = "INVALID_STATE"
    ROUND_NOT_OPEN = "ROUND_NOT_OPEN"
    NOT_ON_BALLOT = "NOT_ON_BALLOT"
    DUPLICATE_ENTRY = "DUPLICATE_ENTRY"
    OVER_BUDGET = "OVER_BUDGET"
    OVER_ITEM_CAP = "OVER_ITEM_CAP"
    RATE_LIMITED = "RATE_LIMITED"


class DomainError(Exception):
    """An expected failure a person can act on. Raising it rolls back the unit of work."""

    def __init__(self, code: ErrorCode, message: str, field: Sequence[str | int] = ()) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = [str(part) for part in field]

    def __repr__(self) -> str:
        return f"DomainError({self.code}, {self.message!r}, field={self.field})"


class NotFound(DomainError):
    def __init__(self, what: str, field: Sequence[str | int] = ()) -> None:
        super().__init__(ErrorCode.NOT_FOUND, f"{what} not found.", field)


class Forbidden(DomainError):
    def __init__(self, message: str = "You do not have permission to do that here.") -> None:
        super().__init__(ErrorCode.FORBIDDEN, message)


class InvalidInput(DomainError):
    def __init__(self, message: str, field: Sequence[str | int] = ()) -> None:
        super().__init__(ErrorCode.INVALID_INPUT, message, field)


class InvalidState(DomainError):
    def __init__(self, message: str, field: Sequence[str | int] = ()) -> None:
        super().__init__(ErrorCode.INVALID_STATE, message, field)
