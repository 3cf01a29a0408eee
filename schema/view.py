"""Strawberry's ASGI view wired to our context, credentials and cleanup."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.types.unset import UnsetType

from schema.context import Context
from schema.errors import BUSY
from server.access import Actor
from server.auth.request import (
    Authenticator,
    InvalidCredentials,
    actor_for_bearer,
    actor_for_http,
    browser_session,
    is_same_origin,
)
from server.auth.sessions import COOKIE
from server.errors import ErrorCode


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
            context.actor = await self._actor_from_cookie(auth, context.request)
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


def unauthorized(message: str) -> Response:
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": ErrorCode.UNAUTHENTICATED}}]},
        status_code=401,
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


def overloaded() -> Response:
    """No database connection came free in time: a 503 the client may retry, not a 500."""
    return JSONResponse(
        {"errors": [{"message": BUSY, "extensions": {"code": ErrorCode.RATE_LIMITED}}]},
        status_code=503,
        headers={"Retry-After": "2"},
    )


class GraphQLEndpoint:
    """Authenticates before Strawberry runs (a bad token is a 401, not a GraphQL result)
    and closes the request's database session afterwards."""

    def __init__(self, view: GraphQLView) -> None:
        self.view = view

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = scope.setdefault("state", {})
        try:
            if scope["type"] == "http":
                request = Request(scope, receive)
                try:
                    state["actor"] = await actor_for_http(
                        request.app.state.authenticator,
                        request.method,
                        request.url.scheme,
                        request.headers,
                        request.cookies,
                    )
                except InvalidCredentials as error:
                    await unauthorized(str(error))(scope, receive, send)
                    return
                except PoolTimeout:
                    await overloaded()(scope, receive, send)
                    return
            await self.view(scope, receive, send)
        finally:
            context: Context | None = state.pop("graphql_context", None)
            if context is not None:
                await context.close()
