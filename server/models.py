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
from server.answers.models import Answer, AnswerTheme, Theme
from server.areas.models import Area, AreaSettings
from server.audit.models import AuditEvent
from server.auth.models import (
    ApiToken,
    BrowserSession,
    ConversationJoin,
    ExternalIdentity,
    OAuthState,
    PersonalCode,
)
from server.comments.models import Comment
from server.conversations.models import (
    ConsentScope,
    Conversation,
    ConversationFacilitator,
    ConversationStatus,
    Story,
)
from server.db import Base
from server.jobs.models import Job, JobState
from server.limits.models import RateLimitCount
from server.moderation.models import Report
from server.notifications.models import (
    EmailDelivery,
    Notification,
    NotificationKind,
    NotificationPreference,
)
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
    RoundPair,
    RoundSnapshot,
    RoundState,
    RoundTally,
    RoundTurnout,
    VotingMethod,
    VotingRound,
)

metadata = Base.metadata

__all__ = [
    "Action",
    "ActionOwnership",
    "ActionStatus",
    "Answer",
    "AnswerTheme",
    "ApiToken",
    "Area",
    "AreaRole",
    "AreaSettings",
    "AuditEvent",
    "Ballot",
    "BallotCast",
    "BallotEntry",
    "BallotItem",
    "BrowserSession",
    "Comment",
    "ConsentScope",
    "Conversation",
    "ConversationFacilitator",
    "ConversationJoin",
    "ConversationStatus",
    "CoreTeam",
    "EmailDelivery",
    "ExternalIdentity",
    "Job",
    "JobState",
    "Milestone",
    "Notification",
    "NotificationKind",
    "NotificationPreference",
    "OAuthState",
    "PersistedDocument",
    "Person",
    "PersonKind",
    "PersonalCode",
    "Priority",
    "Proposal",
    "ProposalRevision",
    "ProposalStatus",
    "Rag",
    "RankedTally",
    "RateLimitCount",
    "Report",
    "ResultVisibility",
    "Role",
    "RoundPair",
    "RoundSnapshot",
    "RoundState",
    "RoundTally",
    "RoundTurnout",
    "Story",
    "TeamMembership",
    "Theme",
    "Update",
    "UpdateKind",
    "VotingMethod",
    "VotingRound",
    "metadata",
]
