"""Helpers for driving the app through its public surface in tests."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

import httpx
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from server.access import Scope
from server.areas import repository as areas_repo
from server.areas import service as areas
from server.auth import tokens
from server.db import unit_of_work
from server.ids import to_global_id
from server.people import service as people
from server.people.models import PersonKind, Role

T = TypeVar("T")
Json = dict[str, Any]


@dataclass(frozen=True)
class Someone:
    person_id: int
    id: str
    token: str
    name: str


class GraphQLErrors(AssertionError):
    pass


class Api:
    """A test's view of a running app: set up people and areas, then talk GraphQL."""

    def __init__(self, app: Starlette, client: httpx.AsyncClient) -> None:
        self.app = app
        self.client = client
        self._people = 0

    async def run(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """Run ``work`` in its own committed transaction (set-up and inspection)."""
        async with unit_of_work(self.app.state.sessionmaker) as session:
            return await work(session)

    async def area(self, slug: str, name: str | None = None, parent: str | None = None) -> str:
        async def work(session: AsyncSession) -> str:
            parent_area = await areas_repo.by_slug(session, parent) if parent else None
            area = await areas.add_area(
                session, name=name or slug.title(), slug=slug, parent=parent_area, actor_id=None
            )
            return to_global_id("Area", area.id)

        return await self.run(work)

    async def someone(
        self,
        name: str | None = None,
        *,
        kind: PersonKind = PersonKind.RESIDENT,
        roles: Iterable[tuple[Role, str]] = (),
        scopes: Sequence[Scope] = (Scope.READ, Scope.WRITE),
        email: str | None = None,
    ) -> Someone:
        self._people += 1
        display = name or f"Person {self._people}"
        address = email or f"person{self._people}.{display.lower().replace(' ', '.')}@example.org"

        async def work(session: AsyncSession) -> Someone:
            person, _ = await people.ensure_person(
                session, email=address, display_name=display, kind=kind
            )
            for role, slug in roles:
                area = await areas_repo.by_slug(session, slug)
                assert area is not None, slug
                await people.grant(session, person, area, role, None)
            issued = await tokens.issue(
                session,
                person_id=person.id,
                name="test",
                scopes=set(scopes),
                expires_in=timedelta(days=1),
            )
            return Someone(person.id, to_global_id("Person", person.id), issued.plaintext, display)

        return await self.run(work)

    async def token(self, someone: Someone, *scopes: Scope) -> str:
        """Another token for ``someone``, with these scopes."""

        async def work(session: AsyncSession) -> str:
            issued = await tokens.issue(
                session,
                person_id=someone.person_id,
                name="test",
                scopes=set(scopes),
                expires_in=timedelta(days=1),
            )
            return issued.plaintext

        return await self.run(work)

    async def post(
        self, query: str, variables: Json | None = None, *, token: str | None = None
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )

    async def gql(
        self, query: str, variables: Json | None = None, *, as_: Someone | None = None
    ) -> Json:
        response = await self.post(query, variables, token=as_.token if as_ else None)
        assert response.status_code == 200, response.text
        body: Json = response.json()
        return body

    async def data(
        self, query: str, variables: Json | None = None, *, as_: Someone | None = None
    ) -> Json:
        body = await self.gql(query, variables, as_=as_)
        if body.get("errors"):
            raise GraphQLErrors(body["errors"])
        data: Json = body["data"]
        return data

    async def mutate(
        self, field: str, input: Json, *, as_: Someone | None, returning: str = ""
    ) -> Json:
        """Call ``field(input: ...)`` and return its payload (``errors`` always selected)."""
        query = (
            f"mutation($input: {_input_type(field)}!) {{ {field}(input: $input) "
            f"{{ {returning} errors {{ code message field }} }} }}"
        )
        payload: Json = (await self.data(query, {"input": input}, as_=as_))[field]
        return payload

    async def ok(self, field: str, input: Json, *, as_: Someone, returning: str) -> Json:
        """A mutation expected to succeed: its payload, having checked it has no errors."""
        payload = await self.mutate(field, input, as_=as_, returning=returning)
        assert payload["errors"] == [], payload["errors"]
        return payload

    async def error(self, field: str, input: Json, *, as_: Someone | None) -> Json:
        """A mutation expected to fail: its single error."""
        payload = await self.mutate(field, input, as_=as_)
        assert len(payload["errors"]) == 1, payload
        error: Json = payload["errors"][0]
        return error


_INPUT_TYPES = {
    "createArea": "CreateAreaInput",
    "startConversation": "StartConversationInput",
    "openConversation": "ConversationInput",
    "closeConversation": "ConversationInput",
    "addStory": "AddStoryInput",
    "withdrawStory": "WithdrawStoryInput",
    "proposeItem": "ProposeItemInput",
    "editProposal": "EditProposalInput",
    "setProposalStatus": "SetProposalStatusInput",
    "addComment": "AddCommentInput",
    "hideComment": "HideCommentInput",
    "createVotingRound": "CreateVotingRoundInput",
    "openVotingRound": "RoundInput",
    "closeVotingRound": "RoundInput",
    "withdrawBallot": "RoundInput",
    "castBallot": "CastBallotInput",
    "adoptPriority": "AdoptPriorityInput",
    "createCoreTeam": "CreateCoreTeamInput",
    "addTeamMember": "TeamMemberInput",
    "removeTeamMember": "TeamMemberInput",
    "postUpdate": "PostUpdateInput",
    "resolveUpdate": "ResolveUpdateInput",
    "updateAction": "UpdateActionInput",
    "addMilestone": "AddMilestoneInput",
    "completeMilestone": "MilestoneInput",
    "reopenMilestone": "MilestoneInput",
    "grantRole": "RoleInput",
    "revokeRole": "RoleInput",
    "markNotificationsRead": "MarkNotificationsReadInput",
    "setNotificationPreference": "SetNotificationPreferenceInput",
    "addAnswer": "AddAnswerInput",
    "tagAnswer": "TagAnswerInput",
    "createTheme": "CreateThemeInput",
    "renameTheme": "RenameThemeInput",
    "updateConversation": "UpdateConversationInput",
    "updateAreaSettings": "UpdateAreaSettingsInput",
    "reportContent": "ReportContentInput",
    "hideContent": "HideContentInput",
    "dismissReport": "DismissReportInput",
    "declineProposal": "DeclineProposalInput",
    "mergeProposal": "MergeProposalInput",
    "erasePerson": "ErasePersonInput",
}


def _input_type(field: str) -> str:
    return _INPUT_TYPES[field]


class World:
    """A small, common cast: Coventry > Willenhall, a facilitator, residents and
    professionals taking part in Willenhall, and a board member."""

    def __init__(self, api: Api) -> None:
        self.api = api

    async def build(self) -> World:
        api = self.api
        self.coventry = await api.area("coventry", "Coventry")
        self.willenhall = await api.area("willenhall", "Willenhall", parent="coventry")
        self.tile_hill = await api.area("tile-hill", "Tile Hill", parent="coventry")
        self.admin = await api.someone(
            "Ada Admin", kind=PersonKind.PROFESSIONAL, roles=[(Role.ADMIN, "coventry")]
        )
        self.facilitator = await api.someone(
            "Fay Facilitator",
            kind=PersonKind.PROFESSIONAL,
            roles=[(Role.FACILITATOR, "willenhall")],
        )
        self.resident = await api.someone("Rita Resident", roles=[(Role.PARTICIPANT, "willenhall")])
        self.gp = await api.someone(
            "Gita GP", kind=PersonKind.PROFESSIONAL, roles=[(Role.PARTICIPANT, "willenhall")]
        )
        self.board = await api.someone(
            "Bob Board", kind=PersonKind.PROFESSIONAL, roles=[(Role.BOARD, "coventry")]
        )
        self.outsider = await api.someone("Olly Outsider", roles=[(Role.PARTICIPANT, "tile-hill")])
        return self

    async def proposal(self, title: str = "A walking group", *, by: Someone | None = None) -> str:
        payload = await self.api.ok(
            "proposeItem",
            {"areaSlug": "willenhall", "title": title, "description": f"{title}, please."},
            as_=by or self.resident,
            returning="proposal { id }",
        )
        proposal_id: str = payload["proposal"]["id"]
        return proposal_id

    async def round(
        self,
        proposals: Sequence[str],
        *,
        method: str = "APPROVAL",
        open: bool = True,
        **extra: Any,
    ) -> str:
        payload = await self.api.ok(
            "createVotingRound",
            {
                "areaSlug": "willenhall",
                "title": "Which first?",
                "method": method,
                "proposalIds": list(proposals),
                **extra,
            },
            as_=self.facilitator,
            returning="round { id }",
        )
        round_id: str = payload["round"]["id"]
        if open:
            await self.api.ok(
                "openVotingRound",
                {"roundId": round_id},
                as_=self.facilitator,
                returning="round { id }",
            )
        return round_id

    async def cast(self, round_id: str, voter: Someone, *entries: Json, **extra: Any) -> Json:
        return await self.api.mutate(
            "castBallot",
            {"roundId": round_id, "entries": list(entries), **extra},
            as_=voter,
            returning="ballot { assisted entries { points rank proposal { id } } }",
        )

    async def close(self, round_id: str) -> None:
        await self.api.ok(
            "closeVotingRound",
            {"roundId": round_id},
            as_=self.facilitator,
            returning="round { id }",
        )

    async def voters(self, count: int, kind: PersonKind = PersonKind.RESIDENT) -> list[Someone]:
        return [
            await self.api.someone(kind=kind, roles=[(Role.PARTICIPANT, "willenhall")])
            for _ in range(count)
        ]
