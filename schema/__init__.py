"""The GraphQL schema: types, queries, mutations and subscriptions over the services."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    DisableIntrospection,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from schema import enums  # noqa: F401  (registers the enums under their contract names)
from schema.actions.types import ActionType, UpdateType
from schema.areas.types import AreaType
from schema.comments.types import CommentType
from schema.conversations.types import ConversationType, StoryType
from schema.mutations import Mutation
from schema.people.types import PersonType
from schema.proposals.types import ProposalType
from schema.queries import Query
from schema.subscriptions import Subscription
from schema.teams.types import CoreTeamType
from schema.voting.types import VotingRoundType

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 4000


def _unexpected(error: GraphQLError) -> bool:
    """Mask only errors nobody meant for the client (bugs, lost connections)."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


class Schema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log what went wrong unexpectedly; errors meant for the client are not news."""
        super().process_errors([e for e in errors if _unexpected(e)], execution_context)


def build_schema(*, production: bool = False) -> strawberry.Schema:
    """The schema; in production without introspection or "did you mean" suggestions."""
    return Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[
            AreaType,
            PersonType,
            ConversationType,
            StoryType,
            ProposalType,
            CommentType,
            VotingRoundType,
            CoreTeamType,
            ActionType,
            UpdateType,
        ],
        # Factories, not instances: an extension instance must not be shared by requests.
        extensions=[
            lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
            lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
            lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
            lambda: MaskErrors(should_mask_error=_unexpected, error_message="Unexpected error."),
            *([DisableIntrospection] if production else []),
        ],
        config=StrawberryConfig(auto_camel_case=True, disable_field_suggestions=production),
    )


schema = build_schema()
