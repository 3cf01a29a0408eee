"""Set-up for resident page tests: people with passwords who take part in an area."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from server.areas import repository as areas_repo
from server.auth import accounts
from server.people import service as people
from server.people.models import PersonKind, Role
from tests.http_browser import PASSWORD
from tests.plan_support import pk
from tests.support import Api


async def account(
    api: Api,
    email: str,
    name: str,
    *,
    kind: PersonKind = PersonKind.RESIDENT,
    role: Role | None = Role.PARTICIPANT,
    area: str = "willenhall",
    affiliation: str | None = None,
) -> int:
    """A person who can sign in with ``PASSWORD`` and (by default) takes part in ``area``."""

    async def work(session: AsyncSession) -> int:
        person = await accounts.register(
            session, display_name=name, email=email, password=PASSWORD, kind=kind
        )
        assert person is not None
        person.affiliation = affiliation
        if role is not None:
            found = await areas_repo.by_slug(session, area)
            assert found is not None
            await people.grant(session, person, found, role, None)
        await session.flush()
        return person.id

    return await api.run(work)


__all__ = ["PASSWORD", "account", "pk"]
