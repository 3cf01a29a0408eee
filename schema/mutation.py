"""Running a mutation: one transaction, committed on success, rolled back on any error.

Services never commit; this is the unit of work for GraphQL writes. Expected failures
come back as ``UserError`` data, never as a 500.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncSession

from schema.base import Info
from schema.errors import BUSY, UserError
from server.access import Actor
from server.db_errors import UNAVAILABLE, is_unavailable, retrying
from server.errors import DomainError, ErrorCode
from server.limits import service as limits

T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Failed:
    errors: list[UserError]


async def mutate(info: Info, work: Callable[[AsyncSession, Actor], Awaitable[T]]) -> T | Failed:
    ctx = info.context
    if ctx.actor is None:
        return Failed([UserError.of(DomainError(ErrorCode.UNAUTHENTICATED, "Sign in to do that."))])
    actor = ctx.actor
    try:
        within_limits = await _within_write_limits(info, actor)
    except Exception as error:
        if not is_unavailable(error):
            raise
        return _busy(error)
    if not within_limits:
        return Failed(
            [
                UserError.of(
                    DomainError(
                        ErrorCode.RATE_LIMITED,
                        "You are making changes very quickly. Wait a minute and try again.",
                    )
                )
            ]
        )

    async def transaction() -> T:
        async with ctx.lock, ctx.sessionmaker() as session, session.begin():
            return await work(session, actor)

    try:
        result = await retrying(transaction)
    except DomainError as error:
        return Failed([UserError.of(error)])
    except Exception as error:
        # No free connection for the pool's whole timeout (overload), or the database
        # went away mid-transaction (rolled back with it): "try again", never a 500. A
        # retry with the same idempotency key cannot count a ballot twice.
        if not is_unavailable(error):
            raise
        log.warning("a mutation could not reach the database: %s", type(error).__name__)
        return _busy(error)
    ctx.forget_loaded()
    return result


def _busy(error: Exception) -> Failed:
    message = BUSY if isinstance(error, PoolTimeout) else UNAVAILABLE
    return Failed([UserError.of(DomainError(ErrorCode.RATE_LIMITED, message))])


async def _within_write_limits(info: Info, actor: Actor) -> bool:
    ctx = info.context
    client = ctx.request.client
    return await limits.count_write(
        ctx.sessionmaker,
        ctx.settings.rate_limits,
        actor.person_id,
        client.host if client else "unknown",
    )
