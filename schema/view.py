"""Strawberry's ASGI view wired to our context and credentials: it serves the WebSocket
(subscriptions) and GraphiQL; HTTP requests are schema/http.py's."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.types.unset import UnsetType

from schema.context import Context
from server.access import Actor, Scope
from server.auth.request import (
    Authenticator,
    InvalidCredentials,
    actor_for_bearer,
    browser_session,
    is_same_origin,
)
from server.auth.sessions import COOKIE


class GraphQLView(GraphQL[Context, None]):
    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        state = request.app.state
        context = Context(
            request=request,
            response=response,
            settings=state.settings,
            sessionmaker=state.sessionmaker,
            actor=request.scope.get("state", {}).get("actor"),
            hub=state.hub,
        )
        request.scope.setdefault("state", {})["graphql_context"] = context
        return context

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """Authenticate a subscription client: a bearer token in connection_init, or a
        browser's session cookie when the socket was opened from our own origin."""
        auth: Authenticator = context.request.app.state.authenticator
        params = context.connection_params or {}
        authorization = params.get("authorization") or params.get("Authorization")
        if authorization is None:
            socket = context.request
            context.actor = await self._actor_from_cookie(auth, socket)

            async def session_still_live() -> Actor | None:
                found = await browser_session(auth, socket.cookies)
                return found[0] if found else None

            context.recheck = session_still_live
            return await super().on_ws_connect(context)
        if not isinstance(authorization, str):
            raise ConnectionRejectionError({"reason": "Send 'Bearer <token>'."})
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ConnectionRejectionError({"reason": "Use 'Bearer <token>'."})
        try:
            context.actor = await actor_for_bearer(auth, token.strip())
        except InvalidCredentials as error:
            raise ConnectionRejectionError({"reason": str(error)}) from error

        async def token_still_live() -> Actor | None:
            try:
                return await actor_for_bearer(auth, token.strip())
            except InvalidCredentials:
                return None

        context.recheck = token_still_live
        if Scope.PERSISTED_ONLY in context.actor.scopes:
            raise ConnectionRejectionError(
                {"reason": "This token may only run registered documents, over HTTP."}
            )
        return await super().on_ws_connect(context)

    @staticmethod
    async def _actor_from_cookie(auth: Authenticator, socket: Request | WebSocket) -> Actor:
        if COOKIE not in socket.cookies:
            raise ConnectionRejectionError({"reason": "Send an authorization in connection_init."})
        if not is_same_origin(socket.headers, auth.settings, _http_scheme(socket)):
            raise ConnectionRejectionError({"reason": "Cross-origin sockets must send a token."})
        found = await browser_session(auth, socket.cookies)
        if found is None:
            raise ConnectionRejectionError({"reason": "Your session has ended. Sign in again."})
        return found[0]


def _http_scheme(connection: Request | WebSocket) -> str:
    return {"ws": "http", "wss": "https"}.get(connection.url.scheme, connection.url.scheme)
