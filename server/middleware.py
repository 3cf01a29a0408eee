"""Pure ASGI middleware around the whole app: security headers, request ids with one
access-log line, the last word on unexpected errors, and limits on what a request may
send. Each wraps ``send``/``receive`` only; none touches the database."""

from __future__ import annotations

import logging
import re
import secrets
import time
from collections.abc import Callable, Iterable

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server import logs
from server.db_errors import is_unavailable

log = logging.getLogger("levelground.requests")

# What to answer instead, as an ASGI app: (scope, HTTP status) -> response.
ErrorPage = Callable[[Scope, int], ASGIApp]

REQUEST_ID_HEADER = b"x-request-id"
# Logged for a request whose client went away before it was answered (nginx's code).
CLIENT_CLOSED = 499
_CLIENT_REQUEST_ID = re.compile(rb"[A-Za-z0-9._-]{8,64}")


def content_security_policy(form_targets: Iterable[str] = ()) -> str:
    """Everything from this site only: no inline script or style, no framing, forms post
    here (and on to the sign-in providers' origins, which a POST may redirect to)."""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action " + " ".join(["'self'", *sorted(set(form_targets))]),
            "frame-ancestors 'none'",
        ]
    )


class SecurityHeaders:
    """The same protective headers on every HTTP response, the error pages' too. A
    response that sets its own Content-Security-Policy (GraphiQL in development) keeps it."""

    def __init__(self, app: ASGIApp, *, csp: str, hsts: bool = False) -> None:
        self.app = app
        self.headers: list[tuple[bytes, bytes]] = [
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
            (b"x-frame-options", b"DENY"),
            (b"cross-origin-opener-policy", b"same-origin"),
            (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
        ]
        if hsts:
            self.headers.append((b"strict-transport-security", b"max-age=31536000"))
        self.csp = csp.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[tuple[bytes, bytes]] = list(message.get("headers", []))
                if not any(name.lower() == b"content-security-policy" for name, _ in headers):
                    headers.append((b"content-security-policy", self.csp))
                headers.extend(self.headers)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def _request_id(scope: Scope) -> str:
    """The caller's X-Request-ID when it looks like one (a proxy's), else a new one."""
    for name, value in scope.get("headers", ()):
        if name == REQUEST_ID_HEADER and _CLIENT_REQUEST_ID.fullmatch(value):
            return str(value.decode())
    return secrets.token_hex(8)


class RequestContext:
    """Gives each request an id (in every log line and the X-Request-ID header), writes
    one access-log line, and turns an exception nobody caught into the 500 page, logged
    with its traceback and request id, so a client never sees internals."""

    def __init__(self, app: ASGIApp, *, error_page: ErrorPage) -> None:
        self.app = app
        self.error_page = error_page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        rid = _request_id(scope)
        token = logs.request_id.set(rid)
        scope.setdefault("state", {})["request_id"] = rid
        started = time.perf_counter()
        status = 0

        async def tracked(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (REQUEST_ID_HEADER, rid.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except ClientDisconnect:
            # The client left before we read its request: nobody to answer, nothing broke.
            status = status or CLIENT_CLOSED
        except Exception as error:
            if is_unavailable(error):
                # The database is restarting or overloaded: a 503 to retry, not a bug.
                log.warning(
                    "database unavailable: %s",
                    type(error).__name__,
                    extra={"fields": _where(scope)},
                )
                answer = 503
            else:
                log.exception("unexpected error", extra={"fields": _where(scope)})
                answer = 500
            if status:
                raise
            await self.error_page(scope, answer)(scope, receive, tracked)
        finally:
            if scope["type"] == "http":
                log.info(
                    "request",
                    extra={
                        "fields": {
                            **_where(scope),
                            "status": status,
                            "ms": round((time.perf_counter() - started) * 1000, 1),
                        }
                    },
                )
            logs.request_id.reset(token)


def _where(scope: Scope) -> dict[str, str]:
    # The route's template (/areas/{slug}), not the path: whatever someone typed into an
    # address (or a query string: join codes, search text) stays out of the logs.
    route = scope.get("route")
    return {"method": scope.get("method", "WS"), "route": getattr(route, "path", "(none)")}


class BodyTooLarge(Exception):
    pass


class RequestGuard:
    """Refuses what no page or API call needs, before any handler reads it: a body over
    ``max_body`` bytes (413, counted as it arrives, whatever Content-Length claims), a
    NUL in the path (404: no such page) or in the query string (400)."""

    def __init__(self, app: ASGIApp, *, max_body: int, error_page: ErrorPage) -> None:
        self.app = app
        self.max_body = max_body
        self.error_page = error_page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self._refusal(scope)
        if refusal:
            await self.error_page(scope, refusal)(scope, receive, send)
            return
        received = 0
        responded = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise BodyTooLarge
            return message

        async def watched(message: Message) -> None:
            nonlocal responded
            responded = responded or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            if responded:
                raise
            await self.error_page(scope, 413)(scope, receive, send)

    def _refusal(self, scope: Scope) -> int | None:
        if "\x00" in scope["path"]:
            return 404
        query = scope.get("query_string", b"").lower()
        if b"\x00" in query or b"%00" in query:
            return 400
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                if not value.isdigit():
                    return 400
                if int(value) > self.max_body:
                    return 413
        return None
