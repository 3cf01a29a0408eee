"""Ballots of a duplicate account, when a facilitator removes it or merges it into the
person's other account: only open rounds change (closed ones are frozen).

Merging keeps one ballot per open round: where both accounts voted, the ballot cast
last stays (what the person said last, as casting again would), and it becomes the kept
account's; where one voted, that ballot is the kept account's.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from server import events
from server.voting import repository
from server.voting.models import RoundState


async def _open_rounds(session: AsyncSession, area_ids: Sequence[int]) -> list[int]:
    return [r.id for r in await repository.for_areas(session, area_ids, RoundState.OPEN)]


async def drop_open_ballots(session: AsyncSession, person_id: int, area_ids: Sequence[int]) -> int:
    """Delete the person's ballots in the open rounds of these areas; how many."""
    dropped = 0
    for round_id in await _open_rounds(session, area_ids):
        voting_round = await repository.locked(session, round_id, share=True)
        if voting_round is None or voting_round.state is not RoundState.OPEN:
            continue
        await repository.lock_voter(session, round_id, person_id)
        if await repository.delete_ballot(session, round_id, person_id):
            dropped += 1
            await events.notify(session, events.ROUND_TALLY, str(round_id))
    return dropped


async def merge_open_ballots(
    session: AsyncSession, *, keep_id: int, duplicate_id: int, area_ids: Sequence[int]
) -> int:
    """Leave one ballot per open round, the kept person's; in how many rounds."""
    changed = 0
    for round_id in await _open_rounds(session, area_ids):
        voting_round = await repository.locked(session, round_id, share=True)
        if voting_round is None or voting_round.state is not RoundState.OPEN:
            continue
        for person_id in sorted((keep_id, duplicate_id)):
            await repository.lock_voter(session, round_id, person_id)
        kept = await repository.ballot_of(session, round_id, keep_id)
        duplicate = await repository.ballot_of(session, round_id, duplicate_id)
        if duplicate is None:
            continue
        if kept is not None and kept.updated_at >= duplicate.updated_at:
            await repository.delete_ballot(session, round_id, duplicate_id)
        else:
            if kept is not None:
                await repository.delete_ballot(session, round_id, keep_id)
            await repository.move_ballot(session, duplicate.id, keep_id)
        changed += 1
        await events.notify(session, events.ROUND_TALLY, str(round_id))
    return changed
