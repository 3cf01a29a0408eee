"""Shared GraphQL building blocks: Node, pages and cursors, ids."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import TypeVar

import strawberry

from schema.context import Context
from schema.errors import bad_argument
from schema.loaders import Page
from server.errors import NotFound
from server.ids import from_global_id, to_global_id
from server.inputs import parse_id
from server.pagination import MAX_PAGE

Info = strawberry.Info[Context, None]
T = TypeVar("T")


@strawberry.interface(name="Node", description="An object with a global id (Relay).")
class Node:
    id: strawberry.ID


def gid(type_name: str, pk: int) -> strawberry.ID:
    return strawberry.ID(to_global_id(type_name, pk))


def decode_id(value: str | None, type_name: str) -> int | None:
    """The primary key inside a global id of ``type_name``, or None."""
    if value is None:
        return None
    decoded = from_global_id(value)
    if decoded is None or decoded[0] != type_name:
        return None
    return decoded[1]


def require_id(value: str, type_name: str, field: Sequence[str], label: str | None = None) -> int:
    """Decode an input id; an id that is not one of ours names nothing (NOT_FOUND)."""
    pk = decode_id(value, type_name)
    if pk is None:
        raise NotFound(label or type_name, field)
    return pk


def optional_id(value: str | None, type_name: str, field: Sequence[str]) -> int | None:
    return None if value is None else require_id(value, type_name, field)


@strawberry.type(name="PageInfo")
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


def encode_cursor(pk: int) -> str:
    return base64.urlsafe_b64encode(f"cursor:{pk}".encode()).decode().rstrip("=")


def page(first: int | None, after: str | None) -> Page:
    """Validate ``first``/``after``; fetch one extra row to learn whether more follow."""
    if first is None:
        first = 20
    if first < 0:
        raise bad_argument("'first' cannot be negative.")
    after_id = None
    if after is not None:
        try:
            raw = base64.urlsafe_b64decode(after + "=" * (-len(after) % 4)).decode()
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raw = ""
        prefix, _, pk = raw.partition(":")
        after_id = parse_id(pk)
        if prefix != "cursor" or after_id is None:
            raise bad_argument("'after' is not a cursor from this API.")
    return Page(limit=min(first, MAX_PAGE) + 1, after_id=after_id)


def split_page(rows: Sequence[T], requested: Page) -> tuple[list[T], bool]:
    """(rows to show, has next page) from rows fetched with one extra."""
    wanted = requested.limit - 1
    return list(rows[:wanted]), len(rows) > wanted
