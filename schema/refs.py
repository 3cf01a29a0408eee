"""Lazy references between types of different modules (they refer to each other)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

if TYPE_CHECKING:
    from schema.actions.types import ActionType, UpdateType
    from schema.answers.types import AnswerConnection, AnswerType, ThemeCountType, ThemeType
    from schema.areas.types import AreaType
    from schema.comments.types import CommentConnection, CommentType
    from schema.conversations.types import ConversationConnection, ConversationType, StoryType
    from schema.moderation.types import ReportType
    from schema.notifications.types import NotificationConnection, NotificationPreferenceType
    from schema.people.types import PersonType
    from schema.proposals.types import ProposalConnection, ProposalType
    from schema.teams.types import CoreTeamType
    from schema.voting.types import BallotType, PriorityType, RoundResultsType, VotingRoundType

AreaRef = Annotated["AreaType", strawberry.lazy("schema.areas.types")]
PersonRef = Annotated["PersonType", strawberry.lazy("schema.people.types")]
ConversationRef = Annotated["ConversationType", strawberry.lazy("schema.conversations.types")]
ConversationConnectionRef = Annotated[
    "ConversationConnection", strawberry.lazy("schema.conversations.types")
]
StoryRef = Annotated["StoryType", strawberry.lazy("schema.conversations.types")]
ProposalRef = Annotated["ProposalType", strawberry.lazy("schema.proposals.types")]
ProposalConnectionRef = Annotated["ProposalConnection", strawberry.lazy("schema.proposals.types")]
CommentRef = Annotated["CommentType", strawberry.lazy("schema.comments.types")]
CommentConnectionRef = Annotated["CommentConnection", strawberry.lazy("schema.comments.types")]
VotingRoundRef = Annotated["VotingRoundType", strawberry.lazy("schema.voting.types")]
BallotRef = Annotated["BallotType", strawberry.lazy("schema.voting.types")]
RoundResultsRef = Annotated["RoundResultsType", strawberry.lazy("schema.voting.types")]
PriorityRef = Annotated["PriorityType", strawberry.lazy("schema.voting.types")]
CoreTeamRef = Annotated["CoreTeamType", strawberry.lazy("schema.teams.types")]
ActionRef = Annotated["ActionType", strawberry.lazy("schema.actions.types")]
UpdateRef = Annotated["UpdateType", strawberry.lazy("schema.actions.types")]
NotificationConnectionRef = Annotated[
    "NotificationConnection", strawberry.lazy("schema.notifications.types")
]
NotificationPreferenceRef = Annotated[
    "NotificationPreferenceType", strawberry.lazy("schema.notifications.types")
]
ThemeRef = Annotated["ThemeType", strawberry.lazy("schema.answers.types")]
ThemeCountRef = Annotated["ThemeCountType", strawberry.lazy("schema.answers.types")]
AnswerRef = Annotated["AnswerType", strawberry.lazy("schema.answers.types")]
AnswerConnectionRef = Annotated["AnswerConnection", strawberry.lazy("schema.answers.types")]
ReportRef = Annotated["ReportType", strawberry.lazy("schema.moderation.types")]
