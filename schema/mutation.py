"""Running a mutation: one transaction, committed on success, rolled back on any error.

Services never commit; this is the unit of work for GraphQL writes. Expected failures
come back as ``UserError`` data, never as a 500.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncSession

from schema.base import Info
from schema.errors import BUSY, UserError
from server.access import Actor
from server.db_errors import is_retryable, to_domain_error
from server.errors import DomainError, ErrorCode
from server.limits import service as limits

T = TypeVar("T")
log = logging.getLogger(__name__)
ATTEMPTS = 3


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
    except PoolTimeout:
        return _busy()
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
    for attempt in range(1, ATTEMPTS + 1):
        try:
            async with ctx.lock, ctx.sessionmaker() as session, session.begin():
                result = await work(session, actor)
        except DomainError as error:
            return Failed([UserError.of(error)])
        except PoolTimeout:
            # Every database connection stayed busy for the pool's whole timeout:
            # overload, answered as "try again", never a 500.
            log.warning("mutation found no free database connection")
            return _busy()
        except DBAPIError as error:
            if is_retryable(error):
                if attempt < ATTEMPTS:
                    log.info("retrying mutation after %s", error.orig)
                    await asyncio.sleep(random.uniform(0, 0.05 * attempt))  # noqa: S311
                    continue
                # Still colliding after every attempt: ask the client to try again
                # (a typed answer, never a 500).
                log.warning("mutation kept colliding: %s", error.orig)
                return _busy()
            translated = to_domain_error(error)
            if translated is None:
                raise
            log.warning("database refused a mutation: %s", error.orig)
            return Failed([UserError.of(translated)])
        else:
            ctx.forget_loaded()
            return result
    raise AssertionError("unreachable")


def _busy() -> Failed:
    return Failed([UserError.of(DomainError(ErrorCode.RATE_LIMITED, BUSY))])


async def _within_write_limits(info: Info, actor: Actor) -> bool:
    ctx = info.context
    client = ctx.request.client
    return await limits.count_write(
        ctx.sessionmaker,
        ctx.settings.rate_limits,
        actor.person_id,
        client.host if client else "unknown",
    )
