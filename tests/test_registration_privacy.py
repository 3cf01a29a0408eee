"""Registering answers exactly alike whether or not the email address already has an
account, so the form cannot be used to find out who has one."""

from __future__ import annotations

import re
from collections.abc import Callable

from tests.http_browser import Browser

CSRF = re.compile(r'name="csrf_token" value="[^"]+"')


def _page(html: str, email: str) -> str:
    return CSRF.sub("", html).replace(email, "EMAIL")


async def test_registering_an_existing_email_answers_like_a_new_one(
    browsers: Callable[..., Browser],
) -> None:
    owner = browsers()
    assert (await owner.register("sam@example.org", "sam's own long password")).status_code == 303
    new, taken = browsers(), browsers()
    fresh = await new.create_account("kim@example.org", name="Kim")
    repeated = await taken.create_account("SAM@example.org", name="Kim")
    assert fresh.status_code == repeated.status_code == 200
    assert _page(fresh.text, "kim@example.org") == _page(repeated.text, "SAM@example.org")
    for response in (fresh, repeated):
        assert "lg_session" not in response.headers.get("set-cookie", "")
        assert "already an account" not in response.text
    # The new account works; the existing one keeps its own password.
    assert (await new.sign_in("kim@example.org")).status_code == 303
    assert (await taken.sign_in("sam@example.org")).status_code == 400
    assert (await taken.sign_in("sam@example.org", "sam's own long password")).status_code == 303
