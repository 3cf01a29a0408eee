"""A browser's view of the app for tests: cookies kept, forms posted with their CSRF
token and a same-origin Origin header, as a real browser would."""

from __future__ import annotations

import re
from typing import Any

import httpx

ORIGIN = "http://testserver"
PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


class Browser:
    def __init__(self, client: httpx.AsyncClient, *, origin: str = ORIGIN) -> None:
        self.client = client
        self.origin = origin

    async def page(self, path: str) -> httpx.Response:
        return await self.client.get(path)

    async def submit(
        self, page: str, action: str, fields: dict[str, str], *, origin: str | None = ""
    ) -> httpx.Response:
        """Open ``page``, then post its form to ``action`` with ``fields`` (from our own
        origin unless told otherwise; None sends no Origin header)."""
        token = csrf_token((await self.page(page)).text)
        origin = self.origin if origin == "" else origin
        headers = {"Origin": origin} if origin else {}
        return await self.client.post(action, data={"csrf_token": token, **fields}, headers=headers)

    async def register(
        self,
        email: str,
        password: str = PASSWORD,
        *,
        name: str = "Sam Someone",
        kind: str = "resident",
    ) -> httpx.Response:
        """Create an account, then sign in with it (registering answers alike whether
        or not the email had an account, so it never signs in by itself)."""
        created = await self.create_account(email, password, name=name, kind=kind)
        if created.status_code != 200:
            return created
        return await self.sign_in(email, password)

    async def create_account(
        self,
        email: str,
        password: str = PASSWORD,
        *,
        name: str = "Sam Someone",
        kind: str = "resident",
    ) -> httpx.Response:
        return await self.submit(
            "/auth/register",
            "/auth/register",
            {
                "displayName": name,
                "email": email,
                "kind": kind,
                "password": password,
                "confirmPassword": password,
            },
        )

    async def sign_in(self, email: str, password: str = PASSWORD) -> httpx.Response:
        return await self.submit(
            "/auth/sign-in", "/auth/sign-in", {"email": email, "password": password}
        )

    async def graphql(
        self, query: str, variables: dict[str, Any] | None = None, *, origin: str | None = ""
    ) -> httpx.Response:
        origin = self.origin if origin == "" else origin
        headers = {"Origin": origin} if origin else {}
        return await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )

    @property
    def session_cookie(self) -> str | None:
        return self.client.cookies.get("lg_session")
