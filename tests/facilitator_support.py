"""A facilitator's working world, built through the services: Willenhall (in Coventry)
with a facilitator and participants who can sign in, a conversation with a story,
proposals, a draft, an open and a closed round, a core team and an adopted action."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from server.access import Actor, Scope
from server.actions import service as actions
from server.areas import service as areas
from server.auth import accounts
from server.conversations import service as conversations
from server.conversations.models import ConsentScope
from server.people import service as people
from server.people.models import PersonKind, Role
from server.proposals import service as proposals
from server.teams import service as teams
from server.voting import repository as voting_repo
from server.voting import service as voting
from server.voting.models import ResultVisibility, VotingMethod
from server.voting.rules import EntryInput
from tests.http_browser import PASSWORD

FACILITATOR_EMAIL = "fay@willenhall.example"
PARTICIPANT_EMAIL = "rita@willenhall.example"
TITLES = [
    "A men's group that meets every week",
    "A drop-in with no appointment needed",
    "Walking group from the community centre",
    "A quiet space in the library",
]
# Every table a facilitator's form could change.
TABLES = (
    "people",
    "area_roles",
    "conversations",
    "stories",
    "proposals",
    "voting_rounds",
    "ballot_items",
    "ballots",
    "ballot_entries",
    "ballot_casts",
    "priorities",
    "actions",
    "action_ownerships",
    "updates",
    "core_teams",
    "team_memberships",
    "audit_events",
)


@dataclass
class Scene:
    facilitator: int = 0
    participant: int = 0
    voters: dict[str, int] = field(default_factory=dict)
    team_member: int = 0
    team: int = 0
    proposals: list[int] = field(default_factory=list)
    conversation: int = 0
    story: int = 0
    draft_round: int = 0
    open_round: int = 0
    closed_round: int = 0
    waiting_priority: int = 0
    action: int = 0


def _actor(person_id: int, *grants: tuple[int, Role]) -> Actor:
    return Actor.build(person_id, {Scope.READ, Scope.WRITE}, grants)


async def _person(
    session: AsyncSession,
    name: str,
    email: str,
    kind: PersonKind,
    area: object,
    role: Role,
    password: bool = False,
) -> int:
    person, _ = await people.ensure_person(session, email=email, display_name=name, kind=kind)
    await people.grant(session, person, area, role, None)  # type: ignore[arg-type]
    if password:
        await accounts.set_password(session, person.id, PASSWORD)
    return person.id


async def build(session: AsyncSession) -> Scene:
    scene = Scene()
    coventry = await areas.add_area(
        session, name="Coventry", slug="coventry", parent=None, actor_id=None
    )
    willenhall = await areas.add_area(
        session, name="Willenhall", slug="willenhall", parent=coventry, actor_id=None
    )
    await areas.add_area(
        session, name="Tile Hill", slug="tile-hill", parent=coventry, actor_id=None
    )
    scene.facilitator = await _person(
        session,
        "Fay",
        FACILITATOR_EMAIL,
        PersonKind.PROFESSIONAL,
        willenhall,
        Role.FACILITATOR,
        password=True,
    )
    scene.participant = await _person(
        session,
        "Rita",
        PARTICIPANT_EMAIL,
        PersonKind.RESIDENT,
        willenhall,
        Role.PARTICIPANT,
        password=True,
    )
    for name in ("Dot", "Kev", "Amina"):
        scene.voters[name] = await _person(
            session,
            name,
            f"{name.lower()}@willenhall.example",
            PersonKind.RESIDENT,
            willenhall,
            Role.PARTICIPANT,
        )
    scene.team_member = await _person(
        session,
        "Tom",
        "tom@willenhall.example",
        PersonKind.PROFESSIONAL,
        willenhall,
        Role.PARTICIPANT,
    )
    fay = _actor(scene.facilitator, (willenhall.id, Role.FACILITATOR))
    rita = _actor(scene.participant, (willenhall.id, Role.PARTICIPANT))

    conversation = await conversations.start_conversation(
        session,
        fay,
        area_slug="willenhall",
        title="Big Conversation at the community centre",
        prompt="What keeps you well?",
        starts_at=None,
        location="Hagard Community Centre",
    )
    scene.conversation = conversation.id
    story = await conversations.add_story(
        session,
        fay,
        conversation_id=conversation.id,
        teller_pseudonym="Sam",
        body="Having somewhere to go on a Tuesday keeps me well.",
        consent_scope=ConsentScope.PARTICIPANTS,
    )
    scene.story = story.id
    for title in TITLES:
        proposal = await proposals.propose_item(
            session,
            rita,
            area_slug="willenhall",
            title=title,
            description=f"{title}, please.",
            conversation_id=conversation.id,
        )
        scene.proposals.append(proposal.id)

    async def new_round(title: str, method: VotingMethod, ids: list[int]) -> int:
        dots = method is VotingMethod.DOTS
        created = await voting.create_round(
            session,
            fay,
            area_slug="willenhall",
            title=title,
            method=method,
            proposal_ids=list(ids),
            dots_per_person=5 if dots else None,
            max_dots_per_item=3 if dots else None,
            result_visibility=ResultVisibility.AFTER_CLOSE,
            closes_at=None,
        )
        return created.id

    scene.closed_round = await new_round(
        "What should we do first?", VotingMethod.APPROVAL, scene.proposals[:2]
    )
    await voting.open_round(session, fay, scene.closed_round)
    for index, voter in enumerate(scene.voters.values()):
        picks = scene.proposals[:2] if index == 0 else scene.proposals[:1]
        await voting.cast_ballot(
            session,
            _actor(voter, (willenhall.id, Role.PARTICIPANT)),
            round_id=scene.closed_round,
            entries=[EntryInput(p, 1) for p in picks],
        )
    await voting.close_round(session, fay, scene.closed_round)
    scene.open_round = await new_round("Spend your dots", VotingMethod.DOTS, scene.proposals[2:])
    await voting.open_round(session, fay, scene.open_round)
    scene.draft_round = await new_round("Next time", VotingMethod.RANKED, scene.proposals[2:])

    team = await teams.create_core_team(session, fay, area_slug="willenhall", name="Wellbeing team")
    scene.team = team.id
    await teams.add_member(session, fay, team_id=team.id, person_id=scene.team_member)
    first, second = await voting_repo.priorities_for(session, [scene.closed_round])
    scene.waiting_priority = first.proposal_id
    adopted = await actions.adopt_priority(
        session,
        fay,
        round_id=scene.closed_round,
        proposal_id=second.proposal_id,
        team_id=team.id,
        title=None,
    )
    scene.action = adopted.id
    return scene


async def fingerprint(session: AsyncSession) -> dict[str, str]:
    """Every facilitator-writable table's rows, hashed: equal means nothing changed."""
    found = {}
    for table in TABLES:
        found[table] = str(
            await session.scalar(
                text(
                    f"SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '') FROM {table} t"
                )
            )
        )
    return found
