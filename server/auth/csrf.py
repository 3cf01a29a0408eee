"""CSRF tokens for HTML forms: an HMAC of the browser's session id (or, before sign-in,
of a random per-browser cookie), so a token is only good with the cookie it was made for.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

FIELD = "csrf_token"
# Before sign-in (sign-in, register and join forms) tokens bind to this cookie instead.
ANONYMOUS_COOKIE = "lg_csrf"


def new_binding() -> str:
    return secrets.token_urlsafe(32)


def token_for(secret_key: str, binding: str) -> str:
    digest = hmac.new(secret_key.encode(), f"csrf\x00{binding}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def is_valid(secret_key: str, binding: str | None, token: str | None) -> bool:
    if not binding or not token:
        return False
    return hmac.compare_digest(token_for(secret_key, binding), token)
