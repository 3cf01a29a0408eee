from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.models import (
    ApiToken,
    BrowserSession,
    ConversationJoin,
    ExternalIdentity,
    OAuthState,
    PersonalCode,
)
from server.conversations.models import Conversation
from server.people.models import AreaRole, Role


async def add(session: AsyncSession, token: ApiToken) -> ApiToken:
    session.add(token)
    await session.flush()
    return token


async def live_with_grants(
    session: AsyncSession, token_hash: str, now: datetime
) -> tuple[ApiToken, list[tuple[int, Role]]] | None:
    """A live token and its person's roles, in one statement (a row per role)."""
    rows = (
        await session.execute(
            select(ApiToken, AreaRole.area_id, AreaRole.role)
            .outerjoin(AreaRole, AreaRole.person_id == ApiToken.person_id)
            .where(
                ApiToken.token_hash == token_hash,
                ApiToken.revoked_at.is_(None),
                or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now),
            )
        )
    ).all()
    return _with_grants(rows)


async def by_prefix(session: AsyncSession, prefix: str) -> ApiToken | None:
    return await session.scalar(select(ApiToken).where(ApiToken.prefix == prefix))


async def revoke(session: AsyncSession, token_id: int, now: datetime) -> None:
    await session.execute(
        update(ApiToken)
        .where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


async def revoke_named(session: AsyncSession, person_id: int, name: str, now: datetime) -> None:
    await session.execute(
        update(ApiToken)
        .where(
            ApiToken.person_id == person_id, ApiToken.name == name, ApiToken.revoked_at.is_(None)
        )
        .values(revoked_at=now)
    )


async def touch(session: AsyncSession, token_id: int, now: datetime, every: timedelta) -> None:
    """Record use, unless another request just did."""
    await session.execute(
        update(ApiToken)
        .where(
            ApiToken.id == token_id,
            or_(
                ApiToken.last_used_at.is_(None),
                ApiToken.last_used_at < now - every,
            ),
        )
        .values(last_used_at=now)
    )


async def add_session(session: AsyncSession, browser_session: BrowserSession) -> BrowserSession:
    session.add(browser_session)
    await session.flush()
    return browser_session


async def live_session_with_grants(
    session: AsyncSession, id_hash: str, now: datetime, idle_since: datetime
) -> tuple[BrowserSession, list[tuple[int, Role]]] | None:
    """A live session and its person's roles, in one statement (a row per role)."""
    rows = (
        await session.execute(
            select(BrowserSession, AreaRole.area_id, AreaRole.role)
            .outerjoin(AreaRole, AreaRole.person_id == BrowserSession.person_id)
            .where(
                BrowserSession.id_hash == id_hash,
                BrowserSession.revoked_at.is_(None),
                BrowserSession.expires_at > now,
                BrowserSession.last_seen_at > idle_since,
            )
        )
    ).all()
    return _with_grants(rows)


async def touch_session(
    session: AsyncSession, session_id: int, now: datetime, every: timedelta
) -> None:
    await session.execute(
        update(BrowserSession)
        .where(BrowserSession.id == session_id, BrowserSession.last_seen_at < now - every)
        .values(last_seen_at=now)
    )


async def revoke_session(session: AsyncSession, id_hash: str, now: datetime) -> int | None:
    """Revoke one session; the person it belonged to, if it was live."""
    result = await session.execute(
        update(BrowserSession)
        .where(BrowserSession.id_hash == id_hash, BrowserSession.revoked_at.is_(None))
        .values(revoked_at=now)
        .returning(BrowserSession.person_id)
    )
    return result.scalar_one_or_none()


async def forget_ended_sessions(session: AsyncSession, person_id: int, before: datetime) -> None:
    await session.execute(
        delete(BrowserSession).where(
            BrowserSession.person_id == person_id,
            or_(BrowserSession.expires_at < before, BrowserSession.revoked_at < before),
        )
    )


async def revoke_sessions_of(session: AsyncSession, person_id: int, now: datetime) -> int:
    result = await session.execute(
        update(BrowserSession)
        .where(BrowserSession.person_id == person_id, BrowserSession.revoked_at.is_(None))
        .values(revoked_at=now)
        .returning(BrowserSession.id)
    )
    return len(result.all())


async def identity(session: AsyncSession, issuer: str, subject: str) -> ExternalIdentity | None:
    return await session.scalar(
        select(ExternalIdentity).where(
            ExternalIdentity.issuer == issuer, ExternalIdentity.subject == subject
        )
    )


async def add_identity(session: AsyncSession, identity: ExternalIdentity) -> ExternalIdentity:
    session.add(identity)
    await session.flush()
    return identity


async def oauth_state(session: AsyncSession, key: str, now: datetime) -> str | None:
    return await session.scalar(
        select(OAuthState.value).where(OAuthState.key == key, OAuthState.expires_at > now)
    )


async def put_oauth_state(
    session: AsyncSession, key: str, value: str, expires_at: datetime
) -> None:
    statement = insert(OAuthState).values(key=key, value=value, expires_at=expires_at)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["key"],
            set_={"value": statement.excluded.value, "expires_at": statement.excluded.expires_at},
        )
    )


async def delete_oauth_state(session: AsyncSession, key: str) -> None:
    await session.execute(delete(OAuthState).where(OAuthState.key == key))


async def forget_expired_oauth_states(session: AsyncSession, now: datetime) -> None:
    await session.execute(delete(OAuthState).where(OAuthState.expires_at <= now))


async def set_personal_code(session: AsyncSession, person_id: int, code_hash: str) -> None:
    """Give the person this code, replacing any they had."""
    statement = insert(PersonalCode).values(person_id=person_id, code_hash=code_hash)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["person_id"],
            set_={"code_hash": statement.excluded.code_hash, "created_at": func.now()},
        )
    )


async def has_personal_code(session: AsyncSession, person_id: int) -> bool:
    return await session.get(PersonalCode, person_id) is not None


async def person_with_code(session: AsyncSession, code_hash: str) -> int | None:
    found: int | None = await session.scalar(
        select(PersonalCode.person_id).where(PersonalCode.code_hash == code_hash)
    )
    return found


async def delete_personal_code(session: AsyncSession, person_id: int) -> None:
    await session.execute(delete(PersonalCode).where(PersonalCode.person_id == person_id))


async def people_with_identities(session: AsyncSession, person_ids: Sequence[int]) -> set[int]:
    rows = await session.scalars(
        select(ExternalIdentity.person_id).where(ExternalIdentity.person_id.in_(person_ids))
    )
    return set(rows)


async def lock_conversation(session: AsyncSession, conversation_id: int) -> Conversation | None:
    """The conversation, its row locked: joins to it queue here (its join limit)."""
    return await session.scalar(
        select(Conversation)
        .where(Conversation.id == conversation_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def add_join(session: AsyncSession, join: ConversationJoin) -> ConversationJoin:
    session.add(join)
    await session.flush()
    return join


async def join_of(
    session: AsyncSession, conversation_id: int, person_id: int
) -> ConversationJoin | None:
    return await session.scalar(
        select(ConversationJoin).where(
            ConversationJoin.conversation_id == conversation_id,
            ConversationJoin.person_id == person_id,
        )
    )


async def joins_of(session: AsyncSession, conversation_id: int) -> list[ConversationJoin]:
    """Everyone who joined the conversation, newest first."""
    return list(
        await session.scalars(
            select(ConversationJoin)
            .where(ConversationJoin.conversation_id == conversation_id)
            .order_by(ConversationJoin.joined_at.desc(), ConversationJoin.id.desc())
        )
    )


async def joins_by_people(
    session: AsyncSession, person_ids: Sequence[int]
) -> list[ConversationJoin]:
    """The joins that made these people (at most one each), with their conversations."""
    return list(
        await session.scalars(
            select(ConversationJoin).where(
                ConversationJoin.person_id.in_(person_ids), ConversationJoin.created_person
            )
        )
    )


async def new_people_joined(session: AsyncSession, conversation_id: int) -> int:
    """How many live people the conversation's code made (what its join limit counts)."""
    count = await session.scalar(
        select(func.count())
        .select_from(ConversationJoin)
        .where(
            ConversationJoin.conversation_id == conversation_id,
            ConversationJoin.created_person,
            ConversationJoin.removed_at.is_(None),
        )
    )
    return int(count or 0)


async def device_made_someone_in(session: AsyncSession, device_hash: str, area_id: int) -> bool:
    """Whether a join from this browser already made a (live) person in the area."""
    found = await session.scalar(
        select(ConversationJoin.id)
        .join(Conversation, Conversation.id == ConversationJoin.conversation_id)
        .where(
            ConversationJoin.device_hash == device_hash,
            ConversationJoin.created_person,
            ConversationJoin.removed_at.is_(None),
            Conversation.area_id == area_id,
        )
        .limit(1)
    )
    return found is not None


def _with_grants(rows: Sequence[Any]) -> tuple[Any, list[tuple[int, Role]]] | None:
    """The holder (a token or a session) of rows joined to its person's roles (a row per
    role, or one with none), and those roles."""
    if not rows:
        return None
    grants = [(area_id, role) for _, area_id, role in rows if area_id is not None]
    return rows[0][0], grants
