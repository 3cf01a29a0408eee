"""Demo data: Coventry, Willenhall and the five phase-two areas, a Big Conversation,
proposals, votes, and a living action plan.

Everything goes through the services, so the demo obeys the same rules as real use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from server import clock
from server.access import Actor, Scope
from server.actions import repository as actions_repo
from server.actions import service as actions
from server.actions.models import Action, ActionStatus, Rag, UpdateKind
from server.answers import repository as answers_repo
from server.answers import service as answers
from server.areas import repository as areas_repo
from server.areas import service as areas
from server.auth import accounts
from server.comments import service as comments
from server.conversations import repository as conversations_repo
from server.conversations import service as conversations
from server.conversations.models import ConsentScope, ConversationStatus
from server.people import repository as people_repo
from server.people import service as people
from server.people.models import PersonKind, Role
from server.proposals import repository as proposals_repo
from server.proposals import service as proposals
from server.teams import service as teams
from server.voting import service as voting
from server.voting.models import ResultVisibility, VotingMethod
from server.voting.rules import EntryInput

DEMO_EMAIL = "demo@levelground.example"
# The demo facilitator signs in on the web with these (printed by serve, never in
# production): a demo has no secrets worth keeping.
DEMO_FACILITATOR_EMAIL = "facilitator@demo.levelground.example"
DEMO_FACILITATOR_PASSWORD = "willenhall-walks-together"  # noqa: S105 (the demo's, printed)
DEMO_OPEN_CONVERSATION = "Drop-in conversation at the library"
DEMO_TOKEN_NAME = "demo (printed by serve)"  # noqa: S105 (a label)

STORY = (
    "A few years ago everything caught up with me at once: losing my job, my dad dying, "
    "and the flat going damp. I stopped going out. What got me through wasn't one service, "
    "it was people. The lad at the corner shop who noticed I hadn't been in. My dog, who "
    "needed walking whatever I felt like. A neighbour who sat with me while I rang the "
    "GP. I'd been passed between five different numbers before that. What keeps me well "
    "now is having somewhere to go on a Tuesday, someone who knows my name, and a reason "
    "to get up. I'm telling this so the next person doesn't have to fall as far as I did."
)

PROPOSALS = [
    ("A men's group that meets every week", "Somewhere to talk, or not talk, over a brew."),
    ("A drop-in with no appointment needed", "Talk to someone the same day, face to face."),
    ("Walking group from the community centre", "Gentle walks twice a week; dogs welcome."),
    ("Help with forms and benefits in one place", "One door for money, housing and forms."),
    ("Peer mentors who have been through it", "Trained volunteers with lived experience."),
    ("Same-day call back from the GP", "A promise to call back the same day for mental health."),
    ("Job club with local employers", "Practice interviews and real vacancies nearby."),
    ("Family cooking sessions", "Cheap healthy meals, cooked together."),
    ("A quiet space in the library", "Somewhere calm and warm to sit, no questions asked."),
    ("Better bus links to the hospital", "One bus, not three, to get to appointments."),
    ("Community garden on the old allotments", "Grow food, get outside, meet people."),
    ("Bring-your-dog afternoons at the drop-in", "Pets keep people well; let them come too."),
]

# Phase two: Big Conversations in five more areas of Coventry.
PHASE_TWO_AREAS = [
    ("foleshill", "Foleshill"),
    ("hillfields", "Hillfields"),
    ("wood-end", "Wood End"),
    ("canley", "Canley"),
    ("radford", "Radford"),
]

FOLESHILL = [
    ("Women's wellbeing walks", "Walks for women, with childcare.", ["wellbeing"]),
    ("Health checks at the mosque", "Blood pressure checks after Friday prayers.", ["services"]),
    ("Interpreters at the surgery", "Book an interpreter with the appointment.", ["services"]),
]

# What the room said at the Willenhall Big Conversation: (words, themes, typed from a
# paper card, may be quoted).
ROOM_ANSWERS = [
    ("My dog. She gets me out twice a day whatever the weather.", ["pets"], False, True),
    ("My grandkids on a Sunday", ["family and friends"], False, True),
    ("Walking by the brook", ["places to go", "health"], False, True),
    ("Having a job that pays the bills", ["work and money"], False, False),
    ("A warm flat without damp", ["housing"], True, True),
    ("The knit and natter group at the library", ["groups and clubs"], True, True),
    ("Seeing the same GP who knows me", ["services", "health"], False, True),
    ("Knowing the lad at the corner shop", ["places to go", "family and friends"], True, True),
    ("My cat, honestly", ["pets"], True, False),
    ("Bowls on a Thursday", ["groups and clubs"], True, True),
    ("Not worrying about the electric", ["work and money", "housing"], False, False),
    (
        "Church on Sunday and the cuppa after",
        ["groups and clubs", "family and friends"],
        True,
        True,
    ),
]
CLOSING_SUMMARY = (
    "Thirty-eight of us met at the Hagard. Sam told their story. What keeps us well is "
    "people, pets and somewhere to go, more than any one service. We shared twelve ideas "
    "and agreed to vote on what to do first."
)
HILLFIELDS_ANSWERS = [
    ("The community cafe", ["places to go"]),
    ("My neighbours", ["family and friends"]),
    ("Football on the rec", ["groups and clubs"]),
]

RESIDENTS = ["Dot", "Kev", "Amina", "Mick", "Sue", "Raj", "Leanne", "Bernie"]
PROFESSIONALS = ["Sarah", "Tom", "Helen", "Marcus", "Grace", "Femi"]


@dataclass
class Cast:
    actors: dict[str, Actor]


async def _person(
    session: AsyncSession,
    name: str,
    kind: PersonKind,
    grants: list[tuple[int, Role]],
    email: str | None = None,
) -> Actor:
    email = email or f"{name.lower().replace(' ', '.')}@levelground.example"
    person, _ = await people.ensure_person(session, email=email, display_name=name, kind=kind)
    for area_id, role in grants:
        area = await areas_repo.by_ids(session, [area_id])
        await people.grant(session, person, area[0], role, None)
    return Actor.build(person.id, {Scope.READ, Scope.WRITE}, grants)


async def has_demo(session: AsyncSession) -> bool:
    return await people_repo.by_email(session, DEMO_EMAIL) is not None


async def seed(session: AsyncSession, *, sign_in: bool = True) -> bool:
    """Create the demo; False (and nothing changed) when it is already there.

    ``sign_in``: give the demo facilitator its printed password (never in production,
    where a password everyone can read would be a way in)."""
    if await has_demo(session) or await areas_repo.by_slug(session, "coventry") is not None:
        return False
    coventry = await areas.add_area(
        session, name="Coventry", slug="coventry", parent=None, actor_id=None
    )
    willenhall = await areas.add_area(
        session, name="Willenhall", slug="willenhall", parent=coventry, actor_id=None
    )
    for slug, name in PHASE_TWO_AREAS:
        # Phase two starts from Willenhall's themes, questions and round settings.
        await areas.add_area(
            session, name=name, slug=slug, parent=coventry, actor_id=None, template=willenhall
        )
    await _person(
        session,
        "Levelground Demo",
        PersonKind.PROFESSIONAL,
        [(coventry.id, Role.ADMIN)],
        email=DEMO_EMAIL,
    )
    facilitator = await _person(
        session,
        "Clare",
        PersonKind.PROFESSIONAL,
        [(willenhall.id, Role.FACILITATOR)],
        email=DEMO_FACILITATOR_EMAIL,
    )
    if sign_in:
        await accounts.set_password(session, facilitator.person_id, DEMO_FACILITATOR_PASSWORD)
    await _person(session, "Board reader", PersonKind.PROFESSIONAL, [(coventry.id, Role.BOARD)])
    residents = [
        await _person(session, n, PersonKind.RESIDENT, [(willenhall.id, Role.PARTICIPANT)])
        for n in RESIDENTS
    ]
    professionals = [
        await _person(session, n, PersonKind.PROFESSIONAL, [(willenhall.id, Role.PARTICIPANT)])
        for n in PROFESSIONALS
    ]
    everyone = residents + professionals

    conversation = await conversations.start_conversation(
        session,
        facilitator,
        area_slug="willenhall",
        title="Big Conversation at the community centre",
        prompt="What keeps you well?",
        starts_at=None,
        location="Hagard Community Centre, Willenhall",
    )
    story = await conversations.add_story(
        session,
        facilitator,
        conversation_id=conversation.id,
        teller_pseudonym="Sam",
        body=STORY,
        consent_scope=ConsentScope.PUBLIC,
    )
    said = await _what_the_room_said(
        session, facilitator, conversation.id, willenhall.id, everyone, ROOM_ANSWERS
    )
    pets = await answers_repo.theme_named(session, willenhall.id, "pets")
    assert pets is not None
    items = []
    for index, (title, description) in enumerate(PROPOSALS):
        author = everyone[index % len(everyone)]
        items.append(
            await proposals.propose_item(
                session,
                author,
                area_slug="willenhall",
                title=title,
                description=description,
                conversation_id=conversation.id,
                story_id=story.id if index < 3 else None,
                themes=["wellbeing"] if index % 2 == 0 else ["services"],
                # The walking group grew from an answer; dog afternoons from a theme.
                answer_id=said[2] if index == 2 else None,
                theme_id=pets.id if index == len(PROPOSALS) - 1 else None,
            )
        )
    first = await comments.add_comment(
        session,
        residents[0],
        proposal_id=items[0].id,
        parent_id=None,
        body="My husband would go to this. He won't go to the doctor.",
    )
    await comments.add_comment(
        session,
        professionals[0],
        proposal_id=items[0].id,
        parent_id=first.id,
        body="We could host it at the surgery's community room on Tuesdays.",
    )
    await comments.add_comment(
        session,
        residents[1],
        proposal_id=items[1].id,
        parent_id=None,
        body="No appointment is the whole point. Phones are the problem.",
    )
    await comments.add_comment(
        session,
        professionals[1],
        proposal_id=items[2].id,
        parent_id=None,
        body="The church hall is free on Thursday mornings if the walks start there.",
    )
    await conversations.update_conversation(
        session,
        facilitator,
        conversation.id,
        headcount=38,
        closing_summary=CLOSING_SUMMARY,
    )
    await conversations.set_status(session, facilitator, conversation.id, ConversationStatus.CLOSED)

    closed_round = await voting.create_round(
        session,
        facilitator,
        area_slug="willenhall",
        title="What should we do first?",
        method=VotingMethod.APPROVAL,
        proposal_ids=[p.id for p in items[:6]],
        dots_per_person=None,
        max_dots_per_item=None,
        result_visibility=ResultVisibility.AFTER_CLOSE,
        closes_at=None,
    )
    await voting.open_round(session, facilitator, closed_round.id)
    for index, voter in enumerate(everyone):
        picks = [items[i].id for i in range(6) if (i + index) % 3 != 2]
        await voting.cast_ballot(
            session,
            voter,
            round_id=closed_round.id,
            entries=[EntryInput(p, 1) for p in picks],
        )
    await voting.close_round(session, facilitator, closed_round.id)

    await _living_plan(
        session, facilitator, willenhall.id, closed_round.id, residents, professionals
    )

    open_round = await voting.create_round(
        session,
        facilitator,
        area_slug="willenhall",
        title="What next? Spend your dots",
        method=VotingMethod.DOTS,
        proposal_ids=[p.id for p in items[6:]],
        dots_per_person=5,
        max_dots_per_item=3,
        result_visibility=ResultVisibility.AFTER_OWN_BALLOT,
        closes_at=clock.now() + timedelta(days=14),
    )
    await voting.open_round(session, facilitator, open_round.id)
    for index, voter in enumerate(everyone[:7]):
        await voting.cast_ballot(
            session,
            voter,
            round_id=open_round.id,
            entries=[
                EntryInput(items[6 + index % 6].id, 3),
                EntryInput(items[6 + (index + 2) % 6].id, 2),
            ],
        )
    await _phase_two(session, coventry.id)
    # A conversation still open, so its join code can be tried on the web.
    await conversations.start_conversation(
        session,
        facilitator,
        area_slug="willenhall",
        title=DEMO_OPEN_CONVERSATION,
        prompt="What keeps you well?",
        starts_at=None,
        location="Willenhall Library",
    )
    return True


async def open_join_code(session: AsyncSession) -> str | None:
    """The join code of the demo's open conversation, if it is still open."""
    area = await areas_repo.by_slug(session, "willenhall")
    if area is None:
        return None
    for conversation in await conversations_repo.page_for_areas(
        session, [area.id], after_id=None, limit=20
    ):
        if (
            conversation.title == DEMO_OPEN_CONVERSATION
            and conversation.status is not ConversationStatus.CLOSED
        ):
            return conversation.join_code
    return None


async def _update(
    session: AsyncSession,
    by: Actor,
    action_id: int,
    kind: UpdateKind,
    body: str,
    *,
    percent: int | None = None,
    status: ActionStatus | None = None,
    rag: Rag | None = None,
    closing: str | None = None,
) -> int:
    update = await actions.post_update(
        session,
        by,
        action_id=action_id,
        kind=kind,
        body=body,
        percent_complete=percent,
        status=status,
        rag=rag,
        closing_statement=closing,
    )
    return update.id


async def _living_plan(
    session: AsyncSession,
    facilitator: Actor,
    area_id: int,
    round_id: int,
    residents: list[Actor],
    professionals: list[Actor],
) -> None:
    """Willenhall's plan as it stands a few months on: one priority done, one dropped
    with a reason, one blocked and overdue, one stale, one whose lead moved on, and one
    going well with an open ask for help."""
    team = await teams.create_core_team(
        session, facilitator, area_slug="willenhall", name="Willenhall core team"
    )
    for member in (residents[0], residents[3], professionals[0], professionals[2]):
        await teams.add_member(session, facilitator, team_id=team.id, person_id=member.person_id)
    priorities = (await voting.area_priorities(session, facilitator, [(area_id, False)]))[0]
    titles = {
        p.id: p.title
        for p in await proposals_repo.by_ids(session, [p.proposal_id for p in priorities])
    }
    adopted: dict[str, Action] = {}
    for priority in priorities:
        title = titles[priority.proposal_id]
        adopted[title] = await actions.adopt_priority(
            session,
            facilitator,
            round_id=round_id,
            proposal_id=priority.proposal_id,
            team_id=team.id,
            title=None,
            lead_id=residents[0].person_id,
        )
    now = clock.now()
    mens_group = adopted[PROPOSALS[0][0]]
    drop_in = adopted[PROPOSALS[1][0]]
    walking = adopted[PROPOSALS[2][0]]
    forms = adopted[PROPOSALS[3][0]]
    mentors = adopted[PROPOSALS[4][0]]
    call_back = adopted[PROPOSALS[5][0]]

    await actions.update_action(
        session, facilitator, action_id=mens_group.id, target_date=now + timedelta(days=60)
    )
    first_session = await actions.add_milestone(
        session, residents[0], action_id=mens_group.id, title="First session", due_at=now
    )
    await actions.set_milestone_done(
        session, residents[0], milestone_id=first_session.id, done=True
    )
    await actions.add_milestone(
        session,
        residents[0],
        action_id=mens_group.id,
        title="A regular room for Tuesdays",
        due_at=now + timedelta(days=21),
    )
    await _update(
        session,
        residents[0],
        mens_group.id,
        UpdateKind.PROGRESS,
        "First session held: eleven came. Next one Tuesday at 7.",
        percent=30,
        status=ActionStatus.IN_PROGRESS,
        rag=Rag.GREEN,
    )
    await _update(
        session,
        professionals[0],
        mens_group.id,
        UpdateKind.LEARNING,
        "People came because a neighbour brought them, not because of the poster.",
    )
    await _update(
        session,
        residents[3],
        mens_group.id,
        UpdateKind.ASK_FOR_HELP,
        "Could anyone run a cooking night once a month? We have the kitchen, not the cook.",
    )

    await actions.update_action(
        session, facilitator, action_id=drop_in.id, target_date=now - timedelta(days=7)
    )
    await _update(
        session,
        professionals[2],
        drop_in.id,
        UpdateKind.BLOCKER,
        "No room free in the daytime yet; asking the library and the church.",
        percent=10,
        status=ActionStatus.BLOCKED,
    )

    insurance = await _update(
        session,
        residents[3],
        walking.id,
        UpdateKind.BLOCKER,
        "Walk leaders need insurance before we can advertise.",
        status=ActionStatus.IN_PROGRESS,
        percent=20,
    )
    await actions.resolve_update(
        session,
        facilitator,
        update_id=insurance,
        resolution="Grapevine's volunteer policy covers walk leaders.",
    )
    route = await actions.add_milestone(
        session, residents[3], action_id=walking.id, title="Two routes agreed", due_at=now
    )
    await actions.set_milestone_done(session, residents[3], milestone_id=route.id, done=True)
    await _update(
        session,
        residents[3],
        walking.id,
        UpdateKind.PROGRESS,
        "Twelve weeks of walks done; the group now runs itself.",
        status=ActionStatus.DONE,
        closing=(
            "You said: get out and walk together. We did: two walks a week from the "
            "community centre since spring, dogs welcome; 31 regulars, run by volunteers."
        ),
    )

    await _update(
        session,
        professionals[0],
        forms.id,
        UpdateKind.LEARNING,
        "Citizens Advice started the same thing at the library.",
        status=ActionStatus.DROPPED,
        closing=(
            "Dropped, for a good reason: Citizens Advice now runs help with forms and "
            "benefits at the library every Wednesday, so we send people there."
        ),
    )

    await _update(
        session,
        professionals[0],
        mentors.id,
        UpdateKind.PROGRESS,
        "Four volunteers signed up for the training.",
        percent=15,
        status=ActionStatus.IN_PROGRESS,
    )
    # Nobody has posted on it since: backdated so the demo shows a stale action.
    await actions_repo.backdate(session, mentors.id, timedelta(days=40))

    await actions.update_action(
        session, facilitator, action_id=call_back.id, lead_id=professionals[2].person_id
    )
    await teams.remove_member(
        session,
        facilitator,
        team_id=team.id,
        person_id=professionals[2].person_id,
        reason="Moved to a practice in Leeds",
    )


async def _phase_two(session: AsyncSession, coventry_id: int) -> None:
    """The five phase-two areas: Foleshill has had its first Big Conversation and vote;
    the other four have theirs planned."""
    city = await _person(
        session, "Kemi", PersonKind.PROFESSIONAL, [(coventry_id, Role.FACILITATOR)]
    )
    voters = [
        await _person(session, name, PersonKind.RESIDENT, [(coventry_id, Role.PARTICIPANT)])
        for name in ("Joy", "Pat", "Imran")
    ]
    for slug, name in PHASE_TWO_AREAS[1:]:
        # Hillfields has held its first conversation (listening); the others are planned.
        held = slug == "hillfields"
        started = await conversations.start_conversation(
            session,
            city,
            area_slug=slug,
            title=f"Big Conversation in {name}",
            prompt="What keeps you well?",
            starts_at=None if held else clock.now() + timedelta(days=30),
            location="Hillfields Community Hub" if held else None,
        )
        if held:
            area = await areas_repo.by_slug(session, slug)
            assert area is not None
            await _what_the_room_said(
                session,
                city,
                started.id,
                area.id,
                [],
                [(words, themes, True, True) for words, themes in HILLFIELDS_ANSWERS],
            )
            await conversations.update_conversation(session, city, started.id, headcount=17)
    ideas = [
        await proposals.propose_item(
            session,
            voters[i % len(voters)],
            area_slug="foleshill",
            title=title,
            description=description,
            conversation_id=None,
            themes=themes,
        )
        for i, (title, description, themes) in enumerate(FOLESHILL)
    ]
    foleshill_round = await voting.create_round(
        session,
        city,
        area_slug="foleshill",
        title="Foleshill: what first?",
        method=VotingMethod.APPROVAL,
        proposal_ids=[p.id for p in ideas],
        dots_per_person=None,
        max_dots_per_item=None,
        result_visibility=ResultVisibility.AFTER_CLOSE,
        closes_at=None,
    )
    await voting.open_round(session, city, foleshill_round.id)
    for index, voter in enumerate(voters):
        await voting.cast_ballot(
            session,
            voter,
            round_id=foleshill_round.id,
            entries=[EntryInput(p.id, 1) for p in ideas[: 3 - index % 2]],
        )
    await voting.close_round(session, city, foleshill_round.id)
    team = await teams.create_core_team(
        session, city, area_slug="foleshill", name="Foleshill core team"
    )
    await teams.add_member(session, city, team_id=team.id, person_id=voters[0].person_id)
    action = await actions.adopt_priority(
        session,
        city,
        round_id=foleshill_round.id,
        proposal_id=ideas[0].id,
        team_id=team.id,
        title=None,
        lead_id=voters[0].person_id,
        target_date=clock.now() + timedelta(days=90),
    )
    await _update(
        session,
        voters[0],
        action.id,
        UpdateKind.PROGRESS,
        "The mosque and the gurdwara both offered their halls.",
        percent=25,
        status=ActionStatus.IN_PROGRESS,
    )


async def _what_the_room_said(
    session: AsyncSession,
    facilitator: Actor,
    conversation_id: int,
    area_id: int,
    people: list[Actor],
    said: list[tuple[str, list[str], bool, bool]],
) -> list[int]:
    """Answers typed by people in the room or from paper cards, tagged with themes."""
    themes = {t.name: t.id for t in await answers_repo.themes_for_areas(session, [area_id])}
    ids = []
    for index, (words, names, on_paper, may_quote) in enumerate(said):
        answer = await answers.add_answer(
            session,
            facilitator if on_paper else people[index % len(people)],
            conversation_id=conversation_id,
            body=words,
            from_paper=on_paper,
            may_quote=may_quote,
        )
        await answers.tag_answer(session, facilitator, answer.id, [themes[n] for n in names])
        ids.append(answer.id)
    return ids
