from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncGenerator

import strawberry
from starlette.websockets import WebSocket

from schema.base import Info, decode_id
from schema.context import Context
from schema.errors import ExpectedGraphQLError
from schema.voting.types import RoundResultsType
from server import events
from server.access import Actor
from server.errors import ErrorCode
from server.voting import repository as voting_repo
from server.voting import results as voting_results
from server.voting import service as voting
from server.voting.models import RoundState

# graphql-transport-ws close codes: the credentials lapsed; the viewer may no longer see.
CREDENTIALS_LAPSED = 4401
NO_LONGER_ALLOWED = 4403


async def _end(ctx: Context, code: int, reason: str) -> None:
    """Close the socket with ``code``; the handler then cancels this subscription."""
    socket = ctx.request
    assert isinstance(socket, WebSocket)
    await socket.close(code=code, reason=reason)
    await asyncio.Event().wait()


async def _still_signed_in(ctx: Context, actor: Actor) -> Actor:
    if ctx.recheck is None:
        return actor
    current = await ctx.recheck()
    if current is None or current.person_id != actor.person_id:
        await _end(ctx, CREDENTIALS_LAPSED, "Your sign-in has ended. Sign in again.")
    assert current is not None
    return current


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Emits the round's results after every ballot change, to viewers allowed "
        "to see them (nothing while sealed for this viewer); ends with the frozen result "
        "when the round closes. Never carries the resident/professional split (byKind is "
        "withheld); read it from the closed round's results. Credentials and the right to "
        "see results are checked again before every emission: the socket closes with 4401 "
        "once the token or session lapses, 4403 once results are sealed for the viewer again."
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
        shared = getattr(ctx.request.app.state, "live_results", None)
        shown: voting_results.RoundResults | None = None
        # Subscribe before the first read, so no change slips between the two.
        async with ctx.hub.subscribe(events.ROUND_TALLY, str(pk)) as queue:
            while True:
                actor = await _still_signed_in(ctx, actor)
                async with ctx.sessionmaker() as session:
                    voting_round = await voting_repo.by_id(session, pk)
                    assert voting_round is not None
                    found = await voting.results_for(session, actor, voting_round, shared)
                if found is not None and found is not shown:
                    shown = found
                    yield RoundResultsType.of(
                        dataclasses.replace(found, by_kind=voting_results.WITHHELD)
                    )
                    # The client has the previous result resolved by now: start fresh.
                    await ctx.close()
                elif found is None and shown is not None:
                    await _end(ctx, NO_LONGER_ALLOWED, "These results are sealed for you now.")
                if voting_round.state is RoundState.CLOSED:
                    return
                # The shared result may predate the change just notified (it was computed
                # within the refresh window): read again once the window ends.
                retry = shared.retry_in(pk) if shared is not None else None
                if retry is None:
                    await events.drain(queue)
                else:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(events.drain(queue), retry)
