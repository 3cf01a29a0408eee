"""Scalars read the same way everywhere: a DateTime must say its offset and lie in range."""

from __future__ import annotations

from datetime import datetime
from operator import methodcaller

from strawberry.schema.types.base_scalars import wrap_parser
from strawberry.types.scalar import ScalarDefinition

from server.inputs import BadMoment, parse_moment

DateTime = ScalarDefinition(
    name="DateTime",
    description="An ISO 8601 date and time with its offset, e.g. 2026-03-17T18:30:00Z. "
    "Times without an offset are refused, so nobody's evening meeting moves by an hour.",
    specified_by_url=None,
    serialize=methodcaller("isoformat"),
    parse_value=wrap_parser(parse_moment, "DateTime", exceptions=(BadMoment,)),
    parse_literal=None,
    origin=datetime,
)

SCALARS: dict[object, ScalarDefinition] = {datetime: DateTime}
