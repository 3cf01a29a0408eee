"""Set-up for action-plan tests: a core team, a closed round and adopted priorities,
all through GraphQL, plus moving an action's story back in time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from server.actions import repository as actions_repo
from server.ids import from_global_id
from server.people.models import Role
from tests.support import Api, Someone, World

Json = dict[str, Any]


def pk(global_id: str) -> int:
    decoded = from_global_id(global_id)
    assert decoded is not None
    return decoded[1]


@dataclass
class Plan:
    api: Api
    world: World
    member: Someone
    team: str = ""
    conversation: str = ""
    story: str = ""
    round: str = ""
    proposals: list[str] = field(default_factory=list)

    @classmethod
    async def build(
        cls, api: Api, *, titles: tuple[str, ...] = ("Walking group", "Drop-in", "Garden")
    ) -> Plan:
        world = await World(api).build()
        member = await api.someone("Tess Team", roles=[(Role.PARTICIPANT, "willenhall")])
        plan = cls(api, world, member)
        plan.team = (
            await api.ok(
                "createCoreTeam",
                {"areaSlug": "willenhall", "name": "Willenhall core team"},
                as_=world.facilitator,
                returning="team { id }",
            )
        )["team"]["id"]
        await plan.join(plan.member)
        plan.conversation = (
            await api.ok(
                "startConversation",
                {
                    "areaSlug": "willenhall",
                    "title": "Big Conversation",
                    "prompt": "What keeps you well?",
                },
                as_=world.facilitator,
                returning="conversation { id }",
            )
        )["conversation"]["id"]
        plan.story = (
            await api.ok(
                "addStory",
                {
                    "conversationId": plan.conversation,
                    "tellerPseudonym": "Sam",
                    "body": "People kept me well.",
                    "consentScope": "PUBLIC",
                },
                as_=world.facilitator,
                returning="story { id }",
            )
        )["story"]["id"]
        for index, title in enumerate(titles):
            plan.proposals.append(
                (
                    await api.ok(
                        "proposeItem",
                        {
                            "areaSlug": "willenhall",
                            "title": title,
                            "description": f"{title}, please.",
                            "storyId": plan.story if index == 0 else None,
                            "conversationId": plan.conversation,
                            "themes": ["wellbeing"] if index % 2 == 0 else ["services"],
                        },
                        as_=world.resident,
                        returning="proposal { id }",
                    )
                )["proposal"]["id"]
            )
        plan.round = await world.round(plan.proposals)
        await world.cast(plan.round, world.resident, *[{"proposalId": p} for p in plan.proposals])
        await world.cast(plan.round, world.gp, {"proposalId": plan.proposals[0]})
        await world.close(plan.round)
        return plan

    async def join(self, person: Someone) -> None:
        await self.api.ok(
            "addTeamMember",
            {"teamId": self.team, "personId": person.id},
            as_=self.world.facilitator,
            returning="team { id }",
        )

    async def adopt(self, index: int = 0, **extra: Any) -> str:
        payload = await self.api.ok(
            "adoptPriority",
            {
                "roundId": self.round,
                "proposalId": self.proposals[index],
                "teamId": self.team,
                **extra,
            },
            as_=self.world.facilitator,
            returning="action { id }",
        )
        action_id: str = payload["action"]["id"]
        return action_id

    async def post(
        self, action: str, kind: str, body: str, by: Someone | None = None, **extra: Any
    ) -> Json:
        return await self.api.mutate(
            "postUpdate",
            {"actionId": action, "kind": kind, "body": body, **extra},
            as_=by or self.member,
            returning="update { id kind open statusAfter action { status rag percentComplete closingStatement } }",
        )

    async def action(self, action: str, fields: str) -> Json:
        data = await self.api.data(
            f"query($id: ID!) {{ node(id: $id) {{ ... on Action {{ {fields} }} }} }}",
            {"id": action},
            as_=self.world.board,
        )
        node: Json = data["node"]
        return node

    async def backdate(self, action: str, days: int) -> None:
        async def work(session: AsyncSession) -> None:
            await actions_repo.backdate(session, pk(action), timedelta(days=days))

        await self.api.run(work)
