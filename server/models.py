"""Every model, imported once so metadata is complete (Alembic, tests)."""

from server.actions.models import (
    Action,
    ActionOwnership,
    ActionStatus,
    Milestone,
    Rag,
    Update,
    UpdateKind,
)
from server.areas.models import Area
from server.audit.models import AuditEvent
from server.auth.models import ApiToken, BrowserSession, ExternalIdentity, OAuthState
from server.comments.models import Comment
from server.conversations.models import ConsentScope, Conversation, ConversationStatus, Story
from server.db import Base
from server.limits.models import RateLimitCount
from server.people.models import AreaRole, Person, PersonKind, Role
from server.persisted.models import PersistedDocument
from server.proposals.models import Proposal, ProposalRevision, ProposalStatus
from server.teams.models import CoreTeam, TeamMembership
from server.voting.models import (
    Ballot,
    BallotCast,
    BallotEntry,
    BallotItem,
    Priority,
    RankedTally,
    ResultVisibility,
    RoundSnapshot,
    RoundState,
    VotingMethod,
    VotingRound,
)

metadata = Base.metadata

__all__ = [
    "Action",
    "ActionOwnership",
    "ActionStatus",
    "ApiToken",
    "Area",
    "AreaRole",
    "AuditEvent",
    "Ballot",
    "BallotCast",
    "BallotEntry",
    "BallotItem",
    "BrowserSession",
    "Comment",
    "ConsentScope",
    "Conversation",
    "ConversationStatus",
    "CoreTeam",
    "ExternalIdentity",
    "Milestone",
    "OAuthState",
    "PersistedDocument",
    "Person",
    "PersonKind",
    "Priority",
    "Proposal",
    "ProposalRevision",
    "ProposalStatus",
    "Rag",
    "RankedTally",
    "RateLimitCount",
    "ResultVisibility",
    "Role",
    "RoundSnapshot",
    "RoundState",
    "Story",
    "TeamMembership",
    "Update",
    "UpdateKind",
    "VotingMethod",
    "VotingRound",
    "metadata",
]
