"""Per-request GraphQL context: who is asking, one lazily opened session, the loaders."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from server.access import Actor
from server.config import Settings
from server.db_errors import is_unavailable
from server.events import EventHub

if TYPE_CHECKING:
    from schema.loaders import Loaders

T = TypeVar("T")
P = ParamSpec("P")


@dataclass
class Context:
    request: Request | WebSocket
    response: Response | WebSocket | None
    settings: Settings
    sessionmaker: async_sessionmaker[AsyncSession]
    actor: Actor | None
    hub: EventHub | None = None
    # Set by the graphql-transport-ws handler from the connection_init payload.
    connection_params: dict[str, Any] | None = None
    # WebSockets: checks the connection's credentials again (None once they lapsed:
    # token revoked or expired, session ended), so a long subscription cannot outlive them.
    recheck: Callable[[], Awaitable[Actor | None]] | None = None
    # Resolvers run concurrently, but an AsyncSession serves one statement at a time.
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _session: AsyncSession | None = None
    _loaders: Loaders | None = None

    @property
    def loaders(self) -> Loaders:
        if self._loaders is None:
            from schema.loaders import Loaders

            self._loaders = Loaders(self)
        return self._loaders

    def forget_loaded(self) -> None:
        """Drop cached rows, e.g. after a mutation committed changes."""
        self._loaders = None

    async def read(
        self,
        fn: Callable[Concatenate[AsyncSession, P], Awaitable[T]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run ``fn(session, ...)`` on the request's read session, one call at a time."""
        async with self.lock:
            if self._session is None:
                self._session = self.sessionmaker()
            try:
                return await fn(self._session, *args, **kwargs)
            except Exception as error:
                if not is_unavailable(error):
                    raise
                from schema.errors import busy

                raise busy(error) from error

    async def close(self) -> None:
        """Release the read session (and forget what was read with it)."""
        async with self.lock:
            if self._session is not None:
                await self._session.close()
                self._session = None
            self._loaders = None

    def require_actor(self) -> Actor:
        if self.actor is None:
            from schema.errors import unauthenticated

            raise unauthenticated()
        return self.actor
