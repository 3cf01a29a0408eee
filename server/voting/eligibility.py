"""Who may cast an online ballot in a round.

A join code makes a voter from a name alone, so a round may ask more of ballots cast
online: a sign-in somebody else vouched for (an email address an identity provider
verified, or an OpenID Connect account). Ballots a facilitator records for people in the
room are never held to it: the facilitator saw the person.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from server.errors import Forbidden
from server.people import repository as people_repo
from server.voting.models import BallotSignIn, VotingRound

NEEDS_VERIFIED_SIGN_IN = (
    "Online ballots in this vote need a verified sign-in: an account from an identity "
    "provider (such as NHS login) or a verified email address. You can still vote in the "
    "room: a facilitator records your ballot on paper."
)


async def check_online_ballot(
    session: AsyncSession, voting_round: VotingRound, voter_id: int
) -> None:
    """FORBIDDEN when the round needs a verified sign-in that the voter does not have."""
    if voting_round.online_sign_in is BallotSignIn.ANY:
        return
    if not await people_repo.is_verified(session, voter_id):
        raise Forbidden(NEEDS_VERIFIED_SIGN_IN)
