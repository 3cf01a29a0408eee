"""Column helpers shared by the domain models."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Enum


def enum_column(enum: type[StrEnum], name: str) -> Enum:
    """A text column holding an enum's values, guarded by a CHECK constraint.

    Text + CHECK rather than a native PostgreSQL enum: adding a value is an ordinary
    transactional migration.
    """
    return Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(member.value) for member in enum) + 8,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )
