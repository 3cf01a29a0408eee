"""Who may cast an online ballot in a round.

A join code makes a voter from a name alone, so a round may ask more of ballots cast
online: a sign-in somebody else vouched for (an email address an identity provider
verified, or an OpenID Connect account). Ballots a facilitator records for people in the
room are never held to it: the facilitator saw the person.
"""

from __future__ import annotations

from server.errors import Forbidden
from server.voting.models import BallotSignIn

NEEDS_VERIFIED_SIGN_IN = (
    "Online ballots in this vote need a verified sign-in: an account from an identity "
    "provider (such as NHS login) or a verified email address. You can still vote in the "
    "room: a facilitator records your ballot on paper."
)


def check_online_ballot(sign_in: BallotSignIn, voter_verified: bool) -> None:
    """FORBIDDEN when the round needs a verified sign-in that the voter does not have
    (``voter_verified``: somebody vouched for the voter, an email an identity
    provider verified, or an OpenID Connect account)."""
    if sign_in is not BallotSignIn.ANY and not voter_verified:
        raise Forbidden(NEEDS_VERIFIED_SIGN_IN)
