"""Reading what arrives from outside: ids, text and moments, the same for every route,
form and resolver, so bad input is refused where it enters, never deep in a query."""

from __future__ import annotations

import re
from datetime import UTC, datetime

# Primary keys are PostgreSQL bigints.
MAX_ID = 2**63 - 1
# Every moment we keep or compare lies well inside what Python and PostgreSQL both hold,
# with room for the date arithmetic the services do (a month either side).
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
# PostgreSQL text cannot hold NUL; UTF-8 cannot encode a lone surrogate.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class BadMoment(ValueError):
    """A moment without a time zone, malformed, or outside the range we keep."""


def parse_id(value: str) -> int | None:
    """A primary key written in ASCII digits, or None (``"²"``, ``"-1"``, 20 digits)."""
    if not 0 < len(value) <= 19 or not value.isascii() or not value.isdigit():
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def is_storable(text: str) -> bool:
    """Whether PostgreSQL can keep ``text`` as it is (no NUL, no lone surrogate)."""
    return _UNSTORABLE.search(text) is None


def parse_moment(value: str) -> datetime:
    """An ISO 8601 moment with its offset (``2026-03-17T18:30:00Z``), as UTC."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise BadMoment(f"{value!r} is not an ISO 8601 date and time.") from error
    return checked_moment(moment)


def checked_moment(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise BadMoment("Give the time zone too, e.g. 2026-03-17T18:30:00Z or +01:00.")
    try:
        utc = moment.astimezone(UTC)
    except OverflowError as error:
        raise BadMoment("That date is out of range.") from error
    if not EARLIEST <= utc < LATEST:
        raise BadMoment(f"Dates must be between {EARLIEST.year} and {LATEST.year - 1}.")
    return utc
