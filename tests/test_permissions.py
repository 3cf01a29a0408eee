"""The permissions table of the API contract, operation by operation and role by role.

A refused write answers FORBIDDEN (or UNAUTHENTICATED without credentials) and changes
nothing: every write leaves an audit event, so an unchanged audit count proves it.
Each attempt gets fresh prerequisites, so one actor's success cannot mask another's.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from graphql import build_client_schema, get_introspection_query
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.access import Scope
from server.audit.models import AuditEvent
from server.people.models import PersonKind, Role
from tests.support import Api, Someone, World

Json = dict[str, Any]

ACTORS = [
    "admin",  # admin of Coventry (so of Willenhall too)
    "city_facilitator",  # facilitator of Coventry: facilitates Willenhall
    "facilitator",  # facilitator of Willenhall
    "participant",  # participant of Willenhall
    "team_member",  # participant of Willenhall on the action's core team
    "board",  # board of Coventry: read-only
    "outsider",  # participant of Tile Hill only
    "read_only",  # a Willenhall facilitator's token with only the read scope
    "anonymous",
]


@dataclass
class Scene:
    api: Api
    world: World
    people: dict[str, Someone | None]
    conversation: str
    proposal: str
    team: str
    action: str

    async def fresh_round(self, *, open: bool = True) -> tuple[str, str]:
        proposal = await self.world.proposal("Fresh")
        return await self.world.round([proposal], open=open), proposal

    async def fresh_member(self) -> Someone:
        person = await self.api.someone(roles=[(Role.PARTICIPANT, "willenhall")])
        await self.api.ok(
            "addTeamMember",
            {"teamId": self.team, "personId": person.id},
            as_=self.world.facilitator,
            returning="team { id }",
        )
        return person


async def _scene(api: Api) -> Scene:
    world = await World(api).build()
    team_member = await api.someone(
        "Tess Team", kind=PersonKind.PROFESSIONAL, roles=[(Role.PARTICIPANT, "willenhall")]
    )
    people: dict[str, Someone | None] = {
        "admin": world.admin,
        "facilitator": world.facilitator,
        "participant": world.resident,
        "board": world.board,
        "outsider": world.outsider,
        "anonymous": None,
        "team_member": team_member,
        "city_facilitator": await api.someone(
            "City Facilitator", roles=[(Role.FACILITATOR, "coventry")]
        ),
        "read_only": await api.someone(
            "Rae Reader", roles=[(Role.FACILITATOR, "willenhall")], scopes=[Scope.READ]
        ),
    }
    f = world.facilitator
    conversation = (
        await api.ok(
            "startConversation",
            {"areaSlug": "willenhall", "title": "Talk", "prompt": "What keeps you well?"},
            as_=f,
            returning="conversation { id }",
        )
    )["conversation"]["id"]
    team = (
        await api.ok(
            "createCoreTeam",
            {"areaSlug": "willenhall", "name": "Core"},
            as_=f,
            returning="team { id }",
        )
    )["team"]["id"]
    await api.ok(
        "addTeamMember",
        {"teamId": team, "personId": team_member.id},
        as_=f,
        returning="team { id }",
    )
    closed, adopted = await Scene(api, world, people, conversation, "", team, "").fresh_round()
    await world.close(closed)
    action = (
        await api.ok(
            "adoptPriority",
            {"roundId": closed, "proposalId": adopted, "teamId": team},
            as_=f,
            returning="action { id }",
        )
    )["action"]["id"]
    return Scene(api, world, people, conversation, await world.proposal(), team, action)


Operation = Callable[[Scene, int], Awaitable[tuple[str, Json]]]


async def create_area(s: Scene, n: int) -> tuple[str, Json]:
    return "createArea", {"name": f"New {n}", "slug": f"new-{n}", "parentSlug": "willenhall"}


async def start_conversation(s: Scene, n: int) -> tuple[str, Json]:
    return "startConversation", {"areaSlug": "willenhall", "title": "T", "prompt": "P"}


async def add_story(s: Scene, n: int) -> tuple[str, Json]:
    return "addStory", {
        "conversationId": s.conversation,
        "tellerPseudonym": "Sam",
        "body": "A story.",
        "consentScope": "PUBLIC",
    }


async def create_voting_round(s: Scene, n: int) -> tuple[str, Json]:
    return "createVotingRound", {
        "areaSlug": "willenhall",
        "title": "R",
        "method": "APPROVAL",
        "proposalIds": [s.proposal],
    }


async def open_voting_round(s: Scene, n: int) -> tuple[str, Json]:
    draft, _ = await s.fresh_round(open=False)
    return "openVotingRound", {"roundId": draft}


async def close_voting_round(s: Scene, n: int) -> tuple[str, Json]:
    open_round, _ = await s.fresh_round()
    return "closeVotingRound", {"roundId": open_round}


async def cast_ballot_for_someone(s: Scene, n: int) -> tuple[str, Json]:
    open_round, proposal = await s.fresh_round()
    return "castBallot", {
        "roundId": open_round,
        "entries": [{"proposalId": proposal}],
        "onBehalfOf": s.world.gp.id,
    }


async def propose_item(s: Scene, n: int) -> tuple[str, Json]:
    return "proposeItem", {"areaSlug": "willenhall", "title": "T", "description": "D"}


async def add_comment(s: Scene, n: int) -> tuple[str, Json]:
    return "addComment", {"subjectId": s.proposal, "body": "Yes!"}


async def cast_own_ballot(s: Scene, n: int) -> tuple[str, Json]:
    open_round, proposal = await s.fresh_round()
    return "castBallot", {"roundId": open_round, "entries": [{"proposalId": proposal}]}


async def adopt_priority(s: Scene, n: int) -> tuple[str, Json]:
    closed, proposal = await s.fresh_round()
    await s.world.close(closed)
    return "adoptPriority", {"roundId": closed, "proposalId": proposal}


async def create_core_team(s: Scene, n: int) -> tuple[str, Json]:
    return "createCoreTeam", {"areaSlug": "willenhall", "name": f"Team {n}"}


async def add_team_member(s: Scene, n: int) -> tuple[str, Json]:
    newcomer = await s.api.someone(roles=[(Role.PARTICIPANT, "willenhall")])
    return "addTeamMember", {"teamId": s.team, "personId": newcomer.id}


async def remove_team_member(s: Scene, n: int) -> tuple[str, Json]:
    member = await s.fresh_member()
    return "removeTeamMember", {"teamId": s.team, "personId": member.id}


async def post_update(s: Scene, n: int) -> tuple[str, Json]:
    return "postUpdate", {"actionId": s.action, "kind": "PROGRESS", "body": "Going well."}


async def update_action(s: Scene, n: int) -> tuple[str, Json]:
    return "updateAction", {"actionId": s.action, "description": f"Now with {n} walks a week."}


async def retitle_action(s: Scene, n: int) -> tuple[str, Json]:
    return "updateAction", {"actionId": s.action, "title": f"Walks, take {n}"}


async def add_milestone(s: Scene, n: int) -> tuple[str, Json]:
    return "addMilestone", {"actionId": s.action, "title": f"Step {n}"}


async def _milestone(s: Scene, *, done: bool) -> str:
    milestone = (
        await s.api.ok(
            "addMilestone",
            {"actionId": s.action, "title": "A step"},
            as_=s.world.facilitator,
            returning="milestone { id }",
        )
    )["milestone"]["id"]
    if done:
        await s.api.ok(
            "completeMilestone",
            {"milestoneId": milestone},
            as_=s.world.facilitator,
            returning="milestone { id }",
        )
    return str(milestone)


async def complete_milestone(s: Scene, n: int) -> tuple[str, Json]:
    return "completeMilestone", {"milestoneId": await _milestone(s, done=False)}


async def reopen_milestone(s: Scene, n: int) -> tuple[str, Json]:
    return "reopenMilestone", {"milestoneId": await _milestone(s, done=True)}


async def resolve_update(s: Scene, n: int) -> tuple[str, Json]:
    blocker = (
        await s.api.ok(
            "postUpdate",
            {"actionId": s.action, "kind": "BLOCKER", "body": "Stuck."},
            as_=s.world.facilitator,
            returning="update { id }",
        )
    )["update"]["id"]
    return "resolveUpdate", {"updateId": blocker, "resolution": "Unstuck."}


async def open_conversation(s: Scene, n: int) -> tuple[str, Json]:
    planned = await s.api.ok(
        "startConversation",
        {
            "areaSlug": "willenhall",
            "title": "Later",
            "prompt": "P",
            "startsAt": "2099-01-01T18:00:00Z",
        },
        as_=s.world.facilitator,
        returning="conversation { id }",
    )
    return "openConversation", {"conversationId": planned["conversation"]["id"]}


async def close_conversation(s: Scene, n: int) -> tuple[str, Json]:
    started = await s.api.ok(
        "startConversation",
        {"areaSlug": "willenhall", "title": "Now", "prompt": "P"},
        as_=s.world.facilitator,
        returning="conversation { id }",
    )
    return "closeConversation", {"conversationId": started["conversation"]["id"]}


async def withdraw_story(s: Scene, n: int) -> tuple[str, Json]:
    _, story = await add_story(s, n)
    added = await s.api.ok("addStory", story, as_=s.world.facilitator, returning="story { id }")
    return "withdrawStory", {"storyId": added["story"]["id"]}


async def edit_proposal(s: Scene, n: int) -> tuple[str, Json]:
    """Someone else's proposal (the participant's own: authors edit their own)."""
    return "editProposal", {"proposalId": await s.world.proposal("Edit me"), "title": f"T{n}"}


async def set_proposal_status(s: Scene, n: int) -> tuple[str, Json]:
    return "setProposalStatus", {
        "proposalId": await s.world.proposal("Shortlist me"),
        "status": "SHORTLISTED",
    }


async def hide_comment(s: Scene, n: int) -> tuple[str, Json]:
    comment = await s.api.ok(
        "addComment",
        {"subjectId": s.proposal, "body": "Rude words."},
        as_=s.world.resident,
        returning="comment { id }",
    )
    return "hideComment", {"commentId": comment["comment"]["id"], "reason": "Unkind."}


async def withdraw_ballot(s: Scene, n: int) -> tuple[str, Json]:
    """Each voter withdraws their own ballot (those allowed to vote have cast one)."""
    open_round, proposal = await s.fresh_round()
    voter = s.people[ACTORS[n]]
    if ACTORS[n] in PARTICIPANTS:
        assert voter is not None
        await s.world.cast(open_round, voter, {"proposalId": proposal})
    return "withdrawBallot", {"roundId": open_round}


async def grant_role(s: Scene, n: int) -> tuple[str, Json]:
    newcomer = await s.api.someone()
    return "grantRole", {"personId": newcomer.id, "areaSlug": "willenhall", "role": "FACILITATOR"}


async def revoke_role(s: Scene, n: int) -> tuple[str, Json]:
    member = await s.api.someone(roles=[(Role.FACILITATOR, "willenhall")])
    return "revokeRole", {"personId": member.id, "areaSlug": "willenhall", "role": "FACILITATOR"}


async def mark_notifications_read(s: Scene, n: int) -> tuple[str, Json]:
    return "markNotificationsRead", {"all": True}


async def set_notification_preference(s: Scene, n: int) -> tuple[str, Json]:
    return "setNotificationPreference", {"kind": "ROUND_OPENED", "email": "WEEKLY"}


async def add_answer(s: Scene, n: int) -> tuple[str, Json]:
    return "addAnswer", {"conversationId": s.conversation, "body": f"My dog {n}"}


async def add_paper_answer(s: Scene, n: int) -> tuple[str, Json]:
    return "addAnswer", {"conversationId": s.conversation, "body": "Bingo", "fromPaper": True}


async def _answer(s: Scene) -> str:
    payload = await s.api.ok(
        "addAnswer",
        {"conversationId": s.conversation, "body": "The allotment"},
        as_=s.world.resident,
        returning="answer { id }",
    )
    answer_id: str = payload["answer"]["id"]
    return answer_id


async def _theme(s: Scene, name: str = "pets") -> str:
    data = await s.api.data(
        '{ area(slug: "willenhall") { themes { id name } } }', as_=s.world.board
    )
    theme_id: str = next(t["id"] for t in data["area"]["themes"] if t["name"] == name)
    return theme_id


async def tag_answer(s: Scene, n: int) -> tuple[str, Json]:
    return "tagAnswer", {"answerId": await _answer(s), "themeIds": [await _theme(s)]}


async def create_theme(s: Scene, n: int) -> tuple[str, Json]:
    return "createTheme", {"areaSlug": "willenhall", "name": f"bowls {n}"}


async def rename_theme(s: Scene, n: int) -> tuple[str, Json]:
    theme = await s.api.ok(
        "createTheme",
        {"areaSlug": "willenhall", "name": f"allotments {n}"},
        as_=s.world.facilitator,
        returning="theme { id }",
    )
    return "renameTheme", {"themeId": theme["theme"]["id"], "name": f"gardens {n}"}


async def update_conversation(s: Scene, n: int) -> tuple[str, Json]:
    return "updateConversation", {"conversationId": s.conversation, "headcount": 10 + n}


async def update_area_settings(s: Scene, n: int) -> tuple[str, Json]:
    return "updateAreaSettings", {"areaSlug": "willenhall", "dotsPerPerson": 5 + n}


async def report_content(s: Scene, n: int) -> tuple[str, Json]:
    return "reportContent", {"subjectId": await s.world.proposal("Odd"), "reason": "Spam"}


async def _comment(s: Scene) -> str:
    comment = await s.api.ok(
        "addComment",
        {"subjectId": s.proposal, "body": "Rude words."},
        as_=s.world.resident,
        returning="comment { id }",
    )
    comment_id: str = comment["comment"]["id"]
    return comment_id


async def hide_content(s: Scene, n: int) -> tuple[str, Json]:
    return "hideContent", {"subjectId": await _comment(s), "reason": "Unkind."}


async def dismiss_report(s: Scene, n: int) -> tuple[str, Json]:
    report = await s.api.ok(
        "reportContent",
        {"subjectId": await _comment(s), "reason": "Rude"},
        as_=s.world.gp,
        returning="report { id }",
    )
    return "dismissReport", {"reportId": report["report"]["id"]}


async def decline_proposal(s: Scene, n: int) -> tuple[str, Json]:
    return "declineProposal", {"proposalId": await s.world.proposal("No"), "reason": "Done"}


async def merge_proposal(s: Scene, n: int) -> tuple[str, Json]:
    return "mergeProposal", {
        "proposalId": await s.world.proposal("Twin"),
        "intoId": await s.world.proposal("Twin too"),
    }


async def erase_person(s: Scene, n: int) -> tuple[str, Json]:
    """Someone else: an admin over every area they take part in (yourself: always)."""
    person = await s.api.someone(roles=[(Role.PARTICIPANT, "willenhall")])
    return "erasePerson", {"personId": person.id, "confirm": "ERASE"}


FACILITATORS = {"admin", "city_facilitator", "facilitator"}
PARTICIPANTS = FACILITATORS | {"participant", "team_member"}
# Everyone's own notifications, with a token that may write.
SIGNED_IN = PARTICIPANTS | {"board", "outsider"}

TABLE: list[tuple[Operation, set[str]]] = [
    (create_area, {"admin"}),
    (start_conversation, FACILITATORS),
    (add_story, FACILITATORS),
    (create_voting_round, FACILITATORS),
    (open_voting_round, FACILITATORS),
    (close_voting_round, FACILITATORS),
    (cast_ballot_for_someone, FACILITATORS),
    (propose_item, PARTICIPANTS),
    (add_comment, PARTICIPANTS),
    (cast_own_ballot, PARTICIPANTS),
    (adopt_priority, FACILITATORS),
    (create_core_team, FACILITATORS),
    (add_team_member, FACILITATORS),
    (remove_team_member, FACILITATORS),
    (post_update, FACILITATORS | {"team_member"}),
    (update_action, FACILITATORS | {"team_member"}),
    (retitle_action, FACILITATORS),
    (add_milestone, FACILITATORS | {"team_member"}),
    (complete_milestone, FACILITATORS | {"team_member"}),
    (reopen_milestone, FACILITATORS | {"team_member"}),
    (resolve_update, FACILITATORS | {"team_member"}),
    (open_conversation, FACILITATORS),
    (close_conversation, FACILITATORS),
    (withdraw_story, FACILITATORS),
    (edit_proposal, FACILITATORS | {"participant"}),
    (set_proposal_status, FACILITATORS),
    (hide_comment, FACILITATORS),
    (withdraw_ballot, PARTICIPANTS),
    (grant_role, {"admin"}),
    (revoke_role, {"admin"}),
    (mark_notifications_read, SIGNED_IN),
    (set_notification_preference, SIGNED_IN),
    (add_answer, PARTICIPANTS),
    (add_paper_answer, FACILITATORS),
    (tag_answer, FACILITATORS),
    (create_theme, FACILITATORS),
    (rename_theme, FACILITATORS),
    (update_conversation, FACILITATORS),
    (update_area_settings, FACILITATORS),
    (report_content, PARTICIPANTS),
    (hide_content, FACILITATORS),
    (dismiss_report, FACILITATORS),
    (decline_proposal, FACILITATORS),
    (merge_proposal, FACILITATORS),
    (erase_person, {"admin"}),
]


async def _audit_count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


@pytest.mark.parametrize(("operation", "allowed"), TABLE, ids=[op.__name__ for op, _ in TABLE])
async def test_permissions_table(api: Api, operation: Operation, allowed: set[str]) -> None:
    scene = await _scene(api)
    for n, actor_name in enumerate(ACTORS):
        field, input = await operation(scene, n)
        actor = scene.people[actor_name]
        before = await api.run(_audit_count)
        payload = await api.mutate(field, input, as_=actor)
        codes = [e["code"] for e in payload["errors"]]
        if actor_name in allowed:
            assert codes == [], f"{actor_name} should be allowed to {field}: {payload}"
        else:
            expected = "UNAUTHENTICATED" if actor is None else "FORBIDDEN"
            assert codes == [expected], f"{actor_name} must not {field}: {payload}"
            assert await api.run(_audit_count) == before, f"{actor_name}'s refused {field} wrote"


async def test_the_table_covers_every_mutation_of_the_served_schema(api: Api) -> None:
    introspected = await api.post(get_introspection_query(), token=(await api.someone()).token)
    mutation = build_client_schema(introspected.json()["data"]).mutation_type
    assert mutation is not None
    scene = await _scene(api)
    covered = {(await operation(scene, 0))[0] for operation, _ in TABLE}
    assert covered == set(mutation.fields)


async def test_a_top_level_area_needs_an_admin_of_a_top_level_area(api: Api) -> None:
    world = await World(api).build()
    willenhall_admin = await api.someone(roles=[(Role.ADMIN, "willenhall")])
    refused = await api.error(
        "createArea", {"name": "Leeds", "slug": "leeds"}, as_=willenhall_admin
    )
    assert refused["code"] == "FORBIDDEN"
    await api.ok(
        "createArea", {"name": "Leeds", "slug": "leeds"}, as_=world.admin, returning="area { slug }"
    )
