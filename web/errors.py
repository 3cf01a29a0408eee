"""The answers for requests that go wrong before or outside any page: unknown URLs,
unreadable or oversized requests, and the unexpected. Browsers get a page in the site's
style and their language, API clients JSON, GraphQL clients a GraphQL error. None of
them needs the database, which may be the thing that is down."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Scope

from web import i18n
from web.i18n import gettext as _
from web.templating import templates

GRAPHQL_RESPONSE = "application/graphql-response+json"
# GraphQL error codes for the refusals a GraphQL client may meet here.
GRAPHQL_CODES = {
    400: "BAD_REQUEST",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "REQUEST_TOO_LARGE",
    500: "INTERNAL_SERVER_ERROR",
    503: "SERVICE_UNAVAILABLE",
}


def _wording(status: int) -> tuple[str, str]:
    if status == 404:
        return _("Page not found"), _(
            "We could not find that page. The link may be wrong, or the page may have moved."
        )
    if status == 413:
        return _("That was too much to send"), _(
            "What you sent is larger than this site accepts. Nothing was changed."
        )
    if status == 405:
        return _("That cannot be done here"), _(
            "This address does not accept that kind of request. Nothing was changed."
        )
    if status == 503:
        return _("This service is busy or restarting"), _(
            "Try again in a minute. If you were saving something, check whether it was saved."
        )
    if status >= 500:
        return _("Sorry, something went wrong"), _(
            "Try again in a few minutes. If it keeps happening, tell us the reference below."
        )
    return _("We could not read that request"), _(
        "Something in the address or the form cannot be used here. Nothing was changed."
    )


def error_page(scope: Scope, status: int) -> ASGIApp:
    """The answer for ``status`` to this request (an ASGI app, to send as it is)."""
    request = Request(scope)
    reference = scope.get("state", {}).get("request_id")
    accept = request.headers.get("accept", "")
    headers = {"Cache-Control": "no-store", **({"Retry-After": "10"} if status == 503 else {})}
    with i18n.speaking(i18n.choose_language(request)[0]):
        title, message = _wording(status)
        if scope["path"].startswith("/graphql"):
            extensions = {"code": GRAPHQL_CODES.get(status, "BAD_REQUEST")}
            if reference:
                extensions["requestId"] = reference
            return JSONResponse(
                {"errors": [{"message": message, "extensions": extensions}]},
                status_code=status,
                headers=headers,
                media_type=GRAPHQL_RESPONSE if GRAPHQL_RESPONSE in accept else "application/json",
            )
        if "text/html" not in accept:
            return JSONResponse({"error": title, "requestId": reference}, status, headers=headers)
        body = templates.get_template("errors/problem.html").render(
            title=title, message=message, reference=reference, status=status
        )
    return HTMLResponse(body, status_code=status, headers=headers)


async def http_exception(request: Request, error: Exception) -> Response:
    """Starlette's HTTPExceptions (no route, wrong method) as our error pages."""
    status = error.status_code if isinstance(error, HTTPException) else 500
    response = error_page(request.scope, status)
    assert isinstance(response, Response)
    if isinstance(error, HTTPException) and error.headers:
        response.headers.update(error.headers)
    return response
