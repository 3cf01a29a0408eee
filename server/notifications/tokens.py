"""Signed one-click unsubscribe links: they work without signing in, and only for the
person and the emails they were made for."""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer

from server.notifications.models import EmailDelivery, NotificationKind

SALT = "levelground-unsubscribe"


@dataclass(frozen=True)
class Unsubscribe:
    """Stop emails of ``kind`` (an at-once message), or the whole ``digest``."""

    person_id: int
    kind: NotificationKind | None = None
    digest: EmailDelivery | None = None


def sign(secret_key: str, unsubscribe: Unsubscribe) -> str:
    payload: dict[str, object] = {"p": unsubscribe.person_id}
    if unsubscribe.kind is not None:
        payload["k"] = unsubscribe.kind.value
    if unsubscribe.digest is not None:
        payload["d"] = unsubscribe.digest.value
    return str(URLSafeSerializer(secret_key, salt=SALT).dumps(payload))


def read(secret_key: str, token: str) -> Unsubscribe | None:
    """What a token asks for, or None when it is not one of ours."""
    try:
        payload = URLSafeSerializer(secret_key, salt=SALT).loads(token)
    except BadSignature:
        return None
    try:
        return Unsubscribe(
            person_id=int(payload["p"]),
            kind=NotificationKind(payload["k"]) if "k" in payload else None,
            digest=EmailDelivery(payload["d"]) if "d" in payload else None,
        )
    except (KeyError, TypeError, ValueError):
        return None
