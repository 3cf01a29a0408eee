"""People's own accounts: registering, signing in with a password, the profile.

Sign-in failures answer one message whether the email is unknown, has no password or
the password is wrong, after the same amount of work. Failures count per account
(lockout) and attempts per IP address (generous: a venue shares one), in PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from server import clock, validation
from server.audit import service as audit
from server.auth import passwords
from server.config import RateLimits
from server.errors import DomainError, ErrorCode, InvalidInput
from server.limits import service as limits
from server.limits.service import Limit
from server.people import repository as people_repo
from server.people import service as people
from server.people.models import Person, PersonKind

SIGN_IN_FAILED = "Enter a correct email address and password."
TOO_MANY_FROM_NETWORK = "Too many sign-in attempts from this network. Try again later."


def _failures(config: RateLimits) -> Limit:
    return Limit(
        "sign-in-failures",
        config.sign_in_failures_per_account,
        config.sign_in_failure_window_seconds,
    )


def _attempts_per_ip(config: RateLimits) -> Limit:
    return Limit("sign-in-ip", config.sign_ins_per_ip, config.sign_in_ip_window_seconds)


def clean_display_name(value: str, field: list[str]) -> str:
    return validation.text(value, field, max_length=80, label="Display name")


async def register(
    session: AsyncSession,
    *,
    display_name: str,
    email: str,
    password: str,
    kind: PersonKind,
) -> Person | None:
    """A new account; None when the email already had one. Either way the same work is
    done (the password hashed) and the caller answers alike, so registering cannot tell
    anyone whether an address has an account."""
    name = clean_display_name(display_name, ["displayName"])
    email = people.check_email(email)
    passwords.check_strength(password, ["password"], known=[email.split("@")[0], name])
    password_hash = await passwords.hash_password(password)
    existing = await people_repo.by_email(session, email)
    if existing is not None:
        await audit.record(session, None, "person.registration_repeated", ("Person", existing.id))
        return None
    person = await people_repo.add(
        session,
        Person(
            display_name=name,
            email=email,
            kind=kind,
            password_hash=password_hash,
        ),
    )
    await audit.record(session, person.id, "person.registered", ("Person", person.id))
    return person


async def allow_attempt(session: AsyncSession, config: RateLimits, ip: str) -> bool:
    """Count a sign-in or registration attempt from this address (the caller commits
    it on its own, so failed attempts count too)."""
    return await limits.hit(session, _attempts_per_ip(config), ip)


@dataclass(frozen=True)
class Refused:
    message: str
    # For a locked account: how long until it can try again.
    minutes: int | None = None


async def sign_in(
    session: AsyncSession, config: RateLimits, *, email: str, password: str, ip: str
) -> Person | Refused:
    """The person, or why not. Never raises: the attempt counts either way (the caller
    commits)."""
    key = email.strip().lower()
    if not await allow_attempt(session, config, ip):
        return Refused(TOO_MANY_FROM_NETWORK)
    failures = _failures(config)
    if await limits.exhausted(session, failures, key):
        minutes = failures.retry_after_minutes(clock.now())
        return Refused(
            "This account is locked after too many failed sign-in attempts. "
            f"Try again in {minutes} minutes.",
            minutes=minutes,
        )
    person = await people_repo.by_email(session, key) if key else None
    matched = await passwords.verify(password, person.password_hash if person else None)
    if person is None or not matched:
        await limits.hit(session, failures, key)
        return Refused(SIGN_IN_FAILED)
    await limits.reset(session, failures, key)
    return person


async def change_password(
    session: AsyncSession, person_id: int, *, current: str, new: str
) -> Person:
    person = await people_repo.by_id(session, person_id)
    if person is None:
        raise DomainError(ErrorCode.UNAUTHENTICATED, "Sign in first.")
    if person.password_hash is not None and not await passwords.verify(
        current, person.password_hash
    ):
        raise InvalidInput("Your current password is not right.", ["currentPassword"])
    passwords.check_strength(
        new, ["newPassword"], known=[(person.email or "").split("@")[0], person.display_name]
    )
    person.password_hash = await passwords.hash_password(new)
    await session.flush()
    await audit.record(session, person.id, "person.password_changed", ("Person", person.id))
    return person


async def set_password(session: AsyncSession, person_id: int, password: str) -> Person:
    """Give someone a password (the demo's facilitator), checked and hashed as at
    registration."""
    person = await people_repo.by_id(session, person_id)
    if person is None:
        raise DomainError(ErrorCode.NOT_FOUND, "Person not found.")
    passwords.check_strength(
        password, ["password"], known=[(person.email or "").split("@")[0], person.display_name]
    )
    person.password_hash = await passwords.hash_password(password)
    await session.flush()
    await audit.record(session, None, "person.password_set", ("Person", person.id))
    return person


async def update_profile(
    session: AsyncSession, person_id: int, *, display_name: str, kind: PersonKind | None
) -> Person:
    person = await people_repo.by_id(session, person_id)
    if person is None:
        raise DomainError(ErrorCode.UNAUTHENTICATED, "Sign in first.")
    person.display_name = clean_display_name(display_name, ["displayName"])
    if kind is not None:
        person.kind = kind
    await session.flush()
    await audit.record(session, person.id, "person.profile_updated", ("Person", person.id))
    return person
