from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from server import clock, events, validation
from server.access import Actor
from server.areas import service as areas
from server.audit import service as audit
from server.errors import DomainError, ErrorCode, InvalidInput, InvalidState, NotFound
from server.notifications import events as notify
from server.people import repository as people_repo
from server.people.models import Role
from server.proposals import repository as proposals_repo
from server.proposals.models import ProposalStatus
from server.voting import eligibility, repository, results, rules
from server.voting.live import LiveResults
from server.voting.models import (
    MAX_DOTS_PER_PERSON,
    Ballot,
    BallotEntry,
    BallotSignIn,
    Priority,
    RankedTally,
    ResultVisibility,
    RoundState,
    VotingMethod,
    VotingRound,
)

MAX_BALLOT_SIZE = 100


@dataclass(frozen=True, slots=True)
class CastResult:
    """A cast's answer. ``refused``: the cast was refused, but (unlike a raised
    ``DomainError``) what the service recorded about the refusal is to be committed."""

    ballot: Ballot | None
    entries: list[BallotEntry]
    replayed: bool
    refused: DomainError | None = None

    def accepted(self) -> Ballot:
        """The ballot; raises the refusal (after the caller committed, if it should)."""
        if self.refused is not None:
            raise self.refused
        assert self.ballot is not None
        return self.ballot


async def get(
    session: AsyncSession, round_id: int, field: Sequence[str] = ("roundId",)
) -> VotingRound:
    voting_round = await repository.by_id(session, round_id)
    if voting_round is None:
        raise NotFound("Voting round", field)
    return voting_round


async def create_round(
    session: AsyncSession,
    actor: Actor,
    *,
    area_slug: str,
    title: str,
    method: VotingMethod,
    proposal_ids: Sequence[int | None],
    dots_per_person: int | None,
    max_dots_per_item: int | None,
    result_visibility: ResultVisibility,
    closes_at: datetime | None,
    ranked_tally: RankedTally = RankedTally.BORDA,
    online_sign_in: BallotSignIn = BallotSignIn.ANY,
) -> VotingRound:
    area = await areas.get_by_slug(session, area_slug, ["areaSlug"])
    await actor.require(session, area.id, Role.FACILITATOR)
    title = validation.text(title, ["title"], max_length=200, label="Title")
    _check_budget(method, dots_per_person, max_dots_per_item)
    if ranked_tally is not RankedTally.BORDA and method is not VotingMethod.RANKED:
        raise InvalidInput("Only ranked rounds choose a ranked tally.", ["rankedTally"])
    if closes_at is not None and closes_at <= clock.now():
        raise InvalidInput("The closing time must be in the future.", ["closesAt"])
    if not proposal_ids:
        raise InvalidInput("Put at least one proposal on the ballot.", ["proposalIds"])
    if len(proposal_ids) > MAX_BALLOT_SIZE:
        raise InvalidInput(f"A ballot holds at most {MAX_BALLOT_SIZE} proposals.", ["proposalIds"])
    tree = await actor.tree(session)
    in_scope = set(tree.descendants(area.id))
    found = {p.id: p for p in await proposals_repo.by_ids(session, [p for p in proposal_ids if p])}
    seen: set[int] = set()
    for i, proposal_id in enumerate(proposal_ids):
        path = ["proposalIds", str(i)]
        proposal = found.get(proposal_id) if proposal_id is not None else None
        if proposal is None or proposal.area_id not in in_scope:
            raise NotFound("Proposal in this area", path)
        if proposal.id in seen:
            raise DomainError(ErrorCode.DUPLICATE_ENTRY, "That proposal is listed twice.", path)
        if proposal.status not in (ProposalStatus.OPEN, ProposalStatus.SHORTLISTED):
            raise InvalidState(f"A {proposal.status.value} proposal cannot go on a ballot.", path)
        seen.add(proposal.id)
    voting_round = VotingRound(
        area_id=area.id,
        title=title,
        method=method,
        ranked_tally=ranked_tally,
        state=RoundState.DRAFT,
        dots_per_person=dots_per_person,
        max_dots_per_item=max_dots_per_item,
        result_visibility=result_visibility,
        closes_at=closes_at,
        created_by_id=actor.person_id,
        online_sign_in=online_sign_in,
    )
    await repository.add_round(session, voting_round, [p for p in proposal_ids if p is not None])
    await audit.record(
        session,
        actor.person_id,
        "round.created",
        ("VotingRound", voting_round.id),
        area_id=area.id,
        method=method.value,
    )
    return voting_round


def _check_budget(method: VotingMethod, dots: int | None, cap: int | None) -> None:
    if method is VotingMethod.DOTS:
        if dots is None or not 1 <= dots <= MAX_DOTS_PER_PERSON:
            raise InvalidInput(
                f"Dot voting needs between 1 and {MAX_DOTS_PER_PERSON} dots per person.",
                ["dotsPerPerson"],
            )
        if cap is not None and not 1 <= cap <= dots:
            raise InvalidInput(
                "The most dots per proposal must be between 1 and the dots per person.",
                ["maxDotsPerItem"],
            )
    else:
        if dots is not None:
            raise InvalidInput("Only dot voting has dots per person.", ["dotsPerPerson"])
        if cap is not None:
            raise InvalidInput("Only dot voting has a cap per proposal.", ["maxDotsPerItem"])


async def open_round(session: AsyncSession, actor: Actor, round_id: int) -> VotingRound:
    voting_round = await repository.locked(session, round_id, share=False)
    if voting_round is None:
        raise NotFound("Voting round", ["roundId"])
    await actor.require(session, voting_round.area_id, Role.FACILITATOR)
    if voting_round.state is not RoundState.DRAFT:
        raise InvalidState(f"The round is already {voting_round.state.value}.")
    now = clock.now()
    if voting_round.closes_at is not None and voting_round.closes_at <= now:
        raise InvalidState("The round's closing time has passed; set a new one first.")
    voting_round.state = RoundState.OPEN
    voting_round.opened_at = now
    await session.flush()
    await audit.record(
        session,
        actor.person_id,
        "round.opened",
        ("VotingRound", voting_round.id),
        area_id=voting_round.area_id,
    )
    await notify.round_opened(session, actor.person_id, voting_round)
    return voting_round


async def close_round(session: AsyncSession, actor: Actor | None, round_id: int) -> VotingRound:
    """Close an open round and freeze its result. ``actor`` None: the scheduled closer."""
    voting_round = await repository.locked(session, round_id, share=False)
    if voting_round is None:
        raise NotFound("Voting round", ["roundId"])
    if actor is not None:
        await actor.require(session, voting_round.area_id, Role.FACILITATOR)
    if voting_round.state is not RoundState.OPEN:
        raise InvalidState(
            "Only an open round can be closed."
            if voting_round.state is RoundState.DRAFT
            else "The round is already closed."
        )
    await _close(session, actor, voting_round)
    return voting_round


async def _close(session: AsyncSession, actor: Actor | None, voting_round: VotingRound) -> None:
    await _freeze(session, voting_round)
    await audit.record(
        session,
        actor.person_id if actor else None,
        "round.closed",
        ("VotingRound", voting_round.id),
        area_id=voting_round.area_id,
        scheduled=actor is None,
    )
    await events.notify(session, events.ROUND_TALLY, str(voting_round.id))
    await notify.results_published(session, actor.person_id if actor else None, voting_round)


async def _freeze(session: AsyncSession, voting_round: VotingRound) -> None:
    live = await results.checked_recount(session, voting_round)
    voting_round.state = RoundState.CLOSED
    voting_round.closed_at = clock.now()
    await session.flush()
    titles = {
        p.id: p.title
        for p in await proposals_repo.by_ids(session, [row.proposal_id for row in live.rows])
    }
    canonical = results.canonical_snapshot(voting_round, live, titles)
    await repository.add_snapshot(
        session,
        voting_round.id,
        canonical,
        results.snapshot_hash(canonical),
        [
            Priority(
                round_id=voting_round.id,
                proposal_id=row.proposal_id,
                rank=row.rank,
                score=row.score,
                supporters=row.supporters,
            )
            for row in live.rows
        ],
    )


async def due_rounds(session: AsyncSession, limit: int = 100) -> list[int]:
    """Open rounds whose ``closesAt`` has passed, most overdue first."""
    return await repository.due_for_closing(session, clock.now(), limit)


async def close_if_due(session: AsyncSession, round_id: int) -> bool:
    """Close the round if it is still open and past its ``closesAt``; whether it did.

    Every process's closer may try the same round: the round's gate makes them take
    turns, and the later ones find it closed and do nothing, so each round is closed
    (and frozen, audited, announced) exactly once.
    """
    voting_round = await repository.locked(session, round_id, share=False)
    if (
        voting_round is None
        or voting_round.state is not RoundState.OPEN
        or voting_round.closes_at is None
        or voting_round.closes_at > clock.now()
    ):
        return False
    await _close(session, None, voting_round)
    return True


async def cast_ballot(
    session: AsyncSession,
    actor: Actor,
    *,
    round_id: int,
    entries: Sequence[rules.EntryInput],
    idempotency_key: str | None = None,
    on_behalf_of: int | None = None,
    override_own_ballot: bool = False,
) -> CastResult:
    """Cast, or re-cast (replacing), a ballot. One person, one ballot, one weight.

    The hot path of a voting evening: one round trip takes the locks, one reads every
    fact the checks need, one writes (the checks themselves run here, and the database
    checks the ballot again at commit)."""
    assisted = on_behalf_of is not None
    voter_id = on_behalf_of if on_behalf_of is not None else actor.person_id
    # Checked before anything is locked or read; a refusal here changes nothing either.
    if idempotency_key is not None:
        idempotency_key = validation.text(
            idempotency_key, ["idempotencyKey"], max_length=200, label="Idempotency key"
        )
    situation = await repository.cast_situation(session, round_id, voter_id, idempotency_key)
    if situation is None:
        raise NotFound("Voting round", ["roundId"])
    if on_behalf_of is not None:
        actor.require_along(situation.area_path, Role.FACILITATOR)
        await _assisted_voter(session, situation, on_behalf_of)
    else:
        actor.require_along(situation.area_path, Role.PARTICIPANT)
        eligibility.check_online_ballot(situation.online_sign_in, situation.voter_verified)
    # A retried key changes nothing and answers with the ballot as it stands, even once
    # the round has closed (the first answer may have been lost on the way back): so
    # this comes before the open-round check.
    if situation.keyed is not None:
        return await _replay(session, actor, situation, voter_id, situation.keyed, assisted)
    _require_open(situation.state, situation.closes_at)
    marks = rules.check(
        rules.Rules(
            method=situation.method,
            ballot=set(situation.candidates),
            dots_per_person=situation.dots_per_person,
            max_dots_per_item=situation.max_dots_per_item,
        ),
        entries,
    )
    if assisted and situation.ballot_id is not None and situation.assisted_by_id is None:
        if not override_own_ballot:
            raise InvalidState(
                "This person cast their own ballot; replacing it needs an explicit override.",
                ["onBehalfOf"],
            )
        await audit.record(
            session,
            actor.person_id,
            "ballot.overridden",
            ("VotingRound", situation.round_id),
            area_id=situation.area_id,
            voter_id=voter_id,
        )
    ballot, written = await repository.write_cast(
        session,
        round_id=situation.round_id,
        voter_id=voter_id,
        cast_by_id=actor.person_id,
        assisted=assisted,
        key=idempotency_key,
        marks=marks,
        channel=events.ROUND_TALLY,
    )
    if assisted:
        await audit.record(
            session,
            actor.person_id,
            "ballot.recorded_for",
            ("VotingRound", situation.round_id),
            area_id=situation.area_id,
            voter_id=voter_id,
        )
    return CastResult(ballot, written, False)


KEY_OF_ANOTHER_CAST = "That key belongs to another cast. Send this ballot with a new key."
REWRITTEN_SINCE = (
    "This ballot has been changed by someone else since it was cast with that key. "
    "Send a new ballot with a new key."
)


async def _replay(
    session: AsyncSession,
    actor: Actor,
    situation: repository.CastSituation,
    voter_id: int,
    keyed: repository.KeyedCast,
    assisted: bool,
) -> CastResult:
    """The answer to a key already used for this voter: the ballot as it stands, but only
    to whoever cast under the key, the same way, and only while nobody else has written
    the ballot since. Otherwise a facilitator repeating a paper ballot's key (or the
    voter's own key) after the voter cast online would read the voter's secret ballot:
    refused, changing nothing, and audited (the probe itself is worth knowing about)."""
    refusal: DomainError | None = None
    if keyed.cast_by_id != actor.person_id or keyed.assisted is not assisted:
        refusal = InvalidInput(KEY_OF_ANOTHER_CAST, ["idempotencyKey"])
    elif keyed.rewritten_since:
        refusal = InvalidState(REWRITTEN_SINCE, ["idempotencyKey"])
    elif situation.ballot_id is None:
        raise InvalidState("That ballot was withdrawn after it was cast.", ["idempotencyKey"])
    if refusal is not None:
        await audit.record(
            session,
            actor.person_id,
            "ballot.replay_refused",
            ("VotingRound", situation.round_id),
            area_id=situation.area_id,
            voter_id=voter_id,
            assisted=assisted,
        )
        return CastResult(None, [], True, refusal)
    existing = await repository.ballot_of(session, situation.round_id, voter_id)
    assert existing is not None
    return CastResult(existing, await repository.entries_of(session, [existing.id]), True)


async def _assisted_voter(
    session: AsyncSession, situation: repository.CastSituation, person_id: int
) -> None:
    person = await people_repo.by_id(session, person_id)
    if person is None:
        raise NotFound("Person", ["onBehalfOf"])
    voter = Actor.build(person.id, (), await people_repo.grants(session, person.id))
    if not voter.holds_along(situation.area_path, Role.PARTICIPANT):
        raise InvalidInput("That person is not a participant in this area.", ["onBehalfOf"])


def _require_open(state: RoundState, closes_at: datetime | None) -> None:
    if state is not RoundState.OPEN or (closes_at is not None and closes_at <= clock.now()):
        raise DomainError(
            ErrorCode.ROUND_NOT_OPEN,
            "This round is not open for voting."
            if state is not RoundState.CLOSED
            else "This round has closed.",
            ["roundId"],
        )


async def withdraw_ballot(session: AsyncSession, actor: Actor, round_id: int) -> VotingRound:
    voting_round = await repository.locked(session, round_id, share=True)
    if voting_round is None:
        raise NotFound("Voting round", ["roundId"])
    await actor.require(session, voting_round.area_id, Role.PARTICIPANT)
    _require_open(voting_round.state, voting_round.closes_at)
    await repository.lock_voter(session, voting_round.id, actor.person_id)
    if not await repository.delete_ballot(session, voting_round.id, actor.person_id):
        raise NotFound("Your ballot", ["roundId"])
    await events.notify(session, events.ROUND_TALLY, str(voting_round.id))
    return voting_round


async def results_for(
    session: AsyncSession,
    actor: Actor,
    voting_round: VotingRound,
    shared: LiveResults | None = None,
) -> results.RoundResults | None:
    """The round's results if this actor may see them now, else None (sealed).

    ``shared``: the process's live results, so every reader of an open round shares one
    computation (see server/voting/live.py); without it, the counters are summed here.
    """
    if not await results.visible_to(session, actor, voting_round):
        return None
    return await results_unsealed(session, voting_round, shared)


async def results_unsealed(
    session: AsyncSession, voting_round: VotingRound, shared: LiveResults | None = None
) -> results.RoundResults:
    """Results without the sealing check: only for callers that already made it."""
    if voting_round.state is RoundState.CLOSED:
        (snapshot,) = await repository.snapshots(session, [voting_round.id])
        return results.from_snapshot(voting_round.id, snapshot.canonical_json, snapshot.sha256)
    if shared is not None:
        return await shared.of(session, voting_round)
    return await results.compute(session, voting_round)


async def area_priorities(
    session: AsyncSession, actor: Actor, requests: Sequence[tuple[int, bool]]
) -> list[list[repository.PriorityRow]]:
    """For each (area, include_children): the priorities of the latest closed round of the
    area (and of every area beneath it), area by area in tree order, then by rank."""
    tree = await actor.tree(session)
    areas_of = [tree.descendants(area_id) if deep else [area_id] for area_id, deep in requests]
    wanted = sorted({a for group in areas_of for a in group})
    latest = {r.area_id: r for r in await repository.latest_closed_per_area(session, wanted)}
    by_round: dict[int, list[repository.PriorityRow]] = {}
    for priority in await repository.priorities_for(session, [r.id for r in latest.values()]):
        by_round.setdefault(priority.round_id, []).append(priority)
    answers = []
    for group in areas_of:
        rows: list[repository.PriorityRow] = []
        for area_id in group:
            voting_round = latest.get(area_id)
            if voting_round is not None and results.is_unsealed(voting_round, has_own_ballot=False):
                rows.extend(by_round.get(voting_round.id, []))
        answers.append(rows)
    return answers
