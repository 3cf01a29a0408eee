from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from schema.base import Info, decode_id
from schema.errors import ExpectedGraphQLError
from schema.voting.types import RoundResultsType
from server import events
from server.errors import ErrorCode
from server.voting import repository as voting_repo
from server.voting import service as voting
from server.voting.models import RoundState


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Emits the round's results after every ballot change, to viewers allowed "
        "to see them (nothing while sealed for this viewer); ends with the frozen result "
        "when the round closes."
    )
    async def round_tally(
        self, info: Info, round_id: strawberry.ID
    ) -> AsyncGenerator[RoundResultsType, None]:
        ctx = info.context
        actor = ctx.require_actor()
        pk = decode_id(round_id, "VotingRound")
        # Every read here is a short session of its own: no connection (let alone an open
        # transaction) is held while the subscriber waits for the next change.
        async with ctx.sessionmaker() as session:
            found_round = await voting_repo.by_id(session, pk) if pk is not None else None
        if pk is None or found_round is None:
            raise ExpectedGraphQLError("Voting round not found.", ErrorCode.NOT_FOUND)
        assert ctx.hub is not None
        # Subscribe before the first read, so no change slips between the two.
        async with ctx.hub.subscribe(events.ROUND_TALLY, str(pk)) as queue:
            while True:
                async with ctx.sessionmaker() as session:
                    voting_round = await voting_repo.by_id(session, pk)
                    assert voting_round is not None
                    found = await voting.results_for(session, actor, voting_round)
                if found is not None:
                    yield RoundResultsType.of(found)
                    # The client has the previous result resolved by now: start fresh.
                    await ctx.close()
                if voting_round.state is RoundState.CLOSED:
                    return
                await events.drain(queue)
