"""Domain enums exposed to GraphQL under the contract's names (values are the names)."""

from __future__ import annotations

import strawberry

from server.actions.models import ActionStatus, Rag, UpdateKind
from server.conversations.models import ConsentScope, ConversationStatus
from server.people.models import PersonKind, Role
from server.proposals.models import ProposalStatus
from server.voting.models import (
    BallotSignIn,
    RankedTally,
    ResultVisibility,
    RoundState,
    VotingMethod,
)

strawberry.enum(PersonKind, name="PersonKind")
strawberry.enum(Role, name="AreaRole")
strawberry.enum(ConversationStatus, name="ConversationStatus")
strawberry.enum(ConsentScope, name="ConsentScope")
strawberry.enum(ProposalStatus, name="ProposalStatus")
strawberry.enum(VotingMethod, name="VotingMethod")
strawberry.enum(RankedTally, name="RankedTally")
strawberry.enum(RoundState, name="RoundState")
strawberry.enum(ResultVisibility, name="ResultVisibility")
strawberry.enum(
    BallotSignIn,
    name="BallotSignIn",
    description="What an online ballot needs: ANY sign-in (a join code too), or a VERIFIED "
    "one (an identity provider's account or a verified email address).",
)
strawberry.enum(ActionStatus, name="ActionStatus")
strawberry.enum(Rag, name="Rag")
strawberry.enum(UpdateKind, name="UpdateKind")

__all__ = [
    "ActionStatus",
    "BallotSignIn",
    "ConsentScope",
    "ConversationStatus",
    "PersonKind",
    "ProposalStatus",
    "Rag",
    "RankedTally",
    "ResultVisibility",
    "Role",
    "RoundState",
    "UpdateKind",
    "VotingMethod",
]
