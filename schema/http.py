"""GraphQL over HTTP, as the GraphQL over HTTP specification describes it.

- ``POST`` with ``application/json``; queries also over ``GET`` (URL parameters, a
  bearer token or nothing: the browser's cookie never counts on GET), mutations never
  (405 with ``Allow: POST``).
- The response is ``application/graphql-response+json`` when the client accepts it:
  a request that never reached execution (unparsable, invalid, over a limit, bad
  variables) is then a 400 without ``data``; ``application/json`` clients get 200 as
  before. Malformed requests (not JSON, ``query`` not a string...) are 400 either way.
- Batches (a JSON array) of at most ``MAX_BATCH`` operations, run one after another.
- Persisted documents: ``documentId: "sha256:<hex>"`` (or Apollo's
  ``extensions.persistedQuery.sha256Hash``) instead of ``query``; tokens with the
  ``persisted-only`` scope may send nothing else.
- Every request gets ``LEVELGROUND_REQUEST_TIMEOUT`` seconds; past it the work is
  cancelled (its transaction rolled back) and the answer is a 503 ``TIMEOUT`` error.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from strawberry.exceptions import MissingQueryError
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from schema.context import Context
from schema.errors import BUSY
from schema.view import GraphQLView
from server import logs
from server.access import Actor
from server.access import Scope as TokenScope
from server.auth.request import InvalidCredentials, actor_for_http
from server.db import unit_of_work
from server.db_errors import UNAVAILABLE, is_unavailable
from server.errors import ErrorCode
from server.persisted import repository as persisted_repo
from server.persisted.service import parse_document_id

log = logging.getLogger(__name__)

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
MAX_BATCH = 10
_PARAMETERS = frozenset({"query", "variables", "operationName", "extensions", "documentId"})


class Refusal(Exception):
    """The request cannot run: answered with ``status`` and one GraphQL error."""

    def __init__(
        self, status: int, message: str, code: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.headers = dict(headers or {})


@dataclass
class Operation:
    query: str | None
    variables: dict[str, Any] | None
    operation_name: str | None
    extensions: dict[str, Any] | None
    persisted: str | None  # the sha256 hex the client named instead of sending text


def response_media_type(accept: str) -> str | None:
    """The media type to answer in; None when the client accepts neither of ours."""
    if not accept.strip():
        return JSON
    best: tuple[float, int, str] | None = None
    for position, part in enumerate(accept.split(",")):
        media, _, params = part.strip().partition(";")
        media = media.strip().lower()
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        offered = {
            GRAPHQL_RESPONSE: GRAPHQL_RESPONSE,
            JSON: JSON,
            "application/*": JSON,
            "*/*": JSON,
        }.get(media)
        if offered is None or quality <= 0:
            continue
        candidate = (quality, -position, offered)
        if best is None or candidate > best:
            best = candidate
    return best[2] if best else None


def _json_parameter(value: str | None, name: str) -> Any:
    if value is None or value == "":
        return None
    try:
        return json.loads(value)
    except (ValueError, RecursionError) as error:
        raise Refusal(400, f"'{name}' is not valid JSON.", "BAD_REQUEST") from error


def _operation(data: object) -> Operation:
    if not isinstance(data, dict):
        raise Refusal(400, "Send a JSON object (or an array of them).", "BAD_REQUEST")
    query, variables = data.get("query"), data.get("variables")
    name, extensions = data.get("operationName"), data.get("extensions")
    document_id = data.get("documentId")
    for key, value, kind in (
        ("query", query, str),
        ("operationName", name, str),
        ("documentId", document_id, str),
        ("variables", variables, dict),
        ("extensions", extensions, dict),
    ):
        if value is not None and not isinstance(value, kind):
            expected = "a string" if kind is str else "an object"
            raise Refusal(400, f"'{key}' must be {expected} or null.", "BAD_REQUEST")
    persisted = None
    apollo = (extensions or {}).get("persistedQuery")
    if document_id is None and isinstance(apollo, dict):
        document_id = apollo.get("sha256Hash")
    if document_id is not None:
        persisted = parse_document_id(str(document_id))
        if persisted is None:
            raise Refusal(400, "documentId must be sha256:<64 hex digits>.", "BAD_REQUEST")
    if query is None and persisted is None:
        raise Refusal(400, "Send a 'query' (or a registered 'documentId').", "BAD_REQUEST")
    if not _PARAMETERS.issuperset(data):
        unknown = ", ".join(sorted(set(data) - _PARAMETERS))
        raise Refusal(400, f"Unknown request parameters: {unknown}.", "BAD_REQUEST")
    return Operation(query, variables, name, extensions, persisted)


async def read_operations(request: Request) -> tuple[list[Operation], bool]:
    """The operations a request asks for, and whether it was a batch."""
    if request.method == "GET":
        params = request.query_params
        return [
            _operation(
                {
                    key: _json_parameter(params.get(key), key)
                    if key in ("variables", "extensions")
                    else params.get(key)
                    for key in params
                }
            )
        ], False
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media not in (JSON, GRAPHQL_RESPONSE):
        raise Refusal(415, "Send the request as application/json.", "BAD_REQUEST")
    body = await request.body()
    if not body:
        raise Refusal(400, "The request has no body.", "BAD_REQUEST")
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as error:
        raise Refusal(400, "The body is not valid JSON.", "BAD_REQUEST") from error
    if isinstance(data, list):
        if not 0 < len(data) <= MAX_BATCH:
            raise Refusal(400, f"A batch holds 1 to {MAX_BATCH} operations.", "BATCH_TOO_LARGE")
        return [_operation(item) for item in data], True
    return [_operation(data)], False


def _is_request_error(result: ExecutionResult) -> bool:
    """Whether the operation never started executing (spec: a "request error"): no
    data, and no error tied to a field's path."""
    return result.data is None and all(error.path is None for error in result.errors or [])


def _formatted(result: ExecutionResult, media: str) -> tuple[dict[str, Any], bool]:
    failed_early = _is_request_error(result)
    body: dict[str, Any] = {}
    if not (failed_early and media == GRAPHQL_RESPONSE):
        body["data"] = result.data
    if result.errors:
        body["errors"] = [error.formatted for error in result.errors]
    if result.extensions:
        body["extensions"] = result.extensions
    return body, failed_early


def _error_body(message: str, code: str) -> dict[str, Any]:
    extensions: dict[str, Any] = {"code": code}
    if (reference := logs.request_id.get()) is not None:
        extensions["requestId"] = reference
    return {"errors": [{"message": message, "extensions": extensions}]}


def _answer(
    body: object, status: int, media: str, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(
        json.dumps(body, separators=(",", ":"), ensure_ascii=False),
        status_code=status,
        media_type=f"{media}; charset=utf-8",
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


class GraphQLHTTP:
    """The /graphql endpoint: HTTP requests here, WebSockets and GraphiQL by Strawberry's
    view (authenticated as before)."""

    def __init__(self, view: GraphQLView, *, timeout: float) -> None:
        self.view = view
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._websocket(scope, receive, send)
            return
        request = Request(scope, receive)
        accept = request.headers.get("accept", "")
        if (
            request.method == "GET"
            and "query" not in request.query_params
            and ("text/html" in accept)
        ):
            await self._graphiql(scope, receive, send)
            return
        media = response_media_type(accept)
        if media is None:
            response = _answer(
                _error_body(f"Accept {GRAPHQL_RESPONSE} or {JSON}.", "NOT_ACCEPTABLE"), 406, JSON
            )
        else:
            response = await self._respond(request, media)
        await response(scope, receive, send)

    async def _respond(self, request: Request, media: str) -> Response:
        try:
            if request.method not in ("GET", "POST"):
                raise Refusal(
                    405,
                    "Use POST (or GET for queries).",
                    "METHOD_NOT_ALLOWED",
                    {"Allow": "GET, POST"},
                )
            actor = await self._actor(request)
            operations, batch = await read_operations(request)
            if (
                actor is not None
                and TokenScope.PERSISTED_ONLY in actor.scopes
                and any(o.persisted is None for o in operations)
            ):
                raise Refusal(
                    403,
                    "This token may only run registered documents: send their documentId.",
                    ErrorCode.FORBIDDEN.value,
                )
            async with asyncio.timeout(self.timeout):
                results = [await self._run(request, actor, o) for o in operations]
        except Refusal as refusal:
            return _answer(
                _error_body(str(refusal), refusal.code), refusal.status, media, refusal.headers
            )
        except TimeoutError:
            log.warning(
                "a GraphQL request ran out of time", extra={"fields": {"seconds": self.timeout}}
            )
            return _answer(
                _error_body(
                    f"The request took longer than {self.timeout:g} seconds and was stopped; "
                    "nothing it was changing was saved. Ask for less, or try again later.",
                    "TIMEOUT",
                ),
                503,
                media,
                {"Retry-After": "5"},
            )
        except Exception as error:
            if not is_unavailable(error):
                raise
            message = BUSY if isinstance(error, PoolTimeout) else UNAVAILABLE
            return _answer(
                _error_body(message, ErrorCode.RATE_LIMITED.value), 503, media, {"Retry-After": "2"}
            )
        formatted = [_formatted(result, media) for result in results]
        if batch:
            return _answer([body for body, _ in formatted], 200, media)
        body, failed_early = formatted[0]
        return _answer(body, 400 if failed_early and media == GRAPHQL_RESPONSE else 200, media)

    async def _actor(self, request: Request) -> Actor | None:
        try:
            return await actor_for_http(
                request.app.state.authenticator,
                request.method,
                request.url.scheme,
                request.headers,
                request.cookies,
            )
        except InvalidCredentials as error:
            raise Refusal(
                401,
                str(error),
                ErrorCode.UNAUTHENTICATED.value,
                {"WWW-Authenticate": 'Bearer error="invalid_token"'},
            ) from error

    async def _run(
        self, request: Request, actor: Actor | None, operation: Operation
    ) -> ExecutionResult:
        query = operation.query
        if operation.persisted is not None:
            async with unit_of_work(request.app.state.sessionmaker) as session:
                query = await persisted_repo.live_text(session, operation.persisted)
            if query is None:
                raise Refusal(
                    400,
                    "No registered document has that documentId (it may have been revoked).",
                    "PERSISTED_QUERY_NOT_FOUND",
                )
        allowed = (
            {OperationType.QUERY}
            if request.method == "GET"
            else {OperationType.QUERY, OperationType.MUTATION}
        )
        context: Context = await self.view.get_context(request, response=Response())
        context.actor = actor
        try:
            return await self.view.schema.execute(
                query,
                variable_values=operation.variables,
                context_value=context,
                operation_name=operation.operation_name,
                allowed_operation_types=allowed,
                operation_extensions=operation.extensions,
            )
        except InvalidOperationTypeError as error:
            if error.operation_type is OperationType.MUTATION:
                raise Refusal(
                    405, "Mutations need a POST.", "METHOD_NOT_ALLOWED", {"Allow": "POST"}
                ) from error
            raise Refusal(
                400, "Subscriptions run over the WebSocket at this address.", "BAD_REQUEST"
            ) from error
        except CannotGetOperationTypeError as error:
            return ExecutionResult(data=None, errors=[GraphQLError(error.as_http_error_reason())])
        except MissingQueryError as error:
            raise Refusal(400, "Send a 'query'.", "BAD_REQUEST") from error
        finally:
            await context.close()

    async def _graphiql(self, scope: Scope, receive: Receive, send: Send) -> None:
        """GraphiQL (development only) loads from a CDN with inline script and style, so
        its page carries its own, looser Content-Security-Policy."""
        if self.view.graphql_ide is None:
            await _answer(_error_body("Not found.", "NOT_FOUND"), 404, JSON)(scope, receive, send)
            return
        response = await self.view.render_graphql_ide(Request(scope, receive))
        response.headers["Content-Security-Policy"] = GRAPHIQL_CSP
        await response(scope, receive, send)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.view(scope, receive, send)
        finally:
            context: Context | None = scope.get("state", {}).pop("graphql_context", None)
            if context is not None:
                await context.close()


GRAPHIQL_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' https://unpkg.com",
        "style-src 'self' 'unsafe-inline' https://unpkg.com",
        "img-src 'self' data:",
        "font-src 'self' data: https://unpkg.com",
        "connect-src 'self'",
        "frame-ancestors 'none'",
    ]
)
