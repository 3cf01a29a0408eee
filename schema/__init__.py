"""The GraphQL schema: types, queries, mutations and subscriptions over the services."""

from __future__ import annotations

from collections.abc import Iterator

import strawberry
from graphql import GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import MaskErrors, MaxTokensLimiter, SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from schema import enums  # noqa: F401  (registers the enums under their contract names)
from schema.actions.types import ActionType, UpdateType
from schema.areas.types import AreaType
from schema.comments.types import CommentType
from schema.conversations.types import ConversationType, StoryType
from schema.limits import MAX_COST, MAX_FIELDS, DocumentCache, OperationLimits
from schema.mutations import Mutation
from schema.people.types import PersonType
from schema.proposals.types import ProposalType
from schema.queries import Query
from schema.scalars import SCALARS
from schema.subscriptions import Subscription
from schema.teams.types import CoreTeamType
from schema.voting.types import VotingRoundType
from server import logs
from server.access import Scope

# Parsing is the costliest thing a refused document can make us do (graphql-core parses
# 4,000 tokens in about 30 ms of CPU); the board paper is 300.
MAX_TOKENS = 4000


def _unexpected(error: GraphQLError) -> bool:
    """Mask only errors nobody meant for the client (bugs, lost connections)."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


class MaskUnexpected(MaskErrors):
    """An error nobody meant for the client says only that something went wrong and
    which request it was (the log line with the details carries the same id)."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=_unexpected, error_message="Unexpected error.")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        masked.extensions = {"code": "INTERNAL_SERVER_ERROR", "requestId": logs.request_id.get()}
        return masked


class IntrospectionForAllowedTokens(SchemaExtension):
    """In production the schema is not introspectable, except by tokens given the
    ``introspect`` scope (a client generating its types)."""

    def on_operation(self) -> Iterator[None]:
        actor = getattr(self.execution_context.context, "actor", None)
        if actor is None or Scope.INTROSPECT not in actor.scopes:
            self.execution_context.validation_rules = (
                *self.execution_context.validation_rules,
                NoSchemaIntrospectionCustomRule,
            )
        yield


class Schema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log what went wrong unexpectedly; errors meant for the client are not news."""
        super().process_errors([e for e in errors if _unexpected(e)], execution_context)


def build_schema(
    *, production: bool = False, max_cost: int = MAX_COST, max_fields: int = MAX_FIELDS
) -> strawberry.Schema:
    """The schema; in production without "did you mean" suggestions, and introspection
    only for tokens allowed it."""
    documents = DocumentCache()
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
            lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
            lambda: OperationLimits(max_cost, max_fields, documents),
            MaskUnexpected,
            *([IntrospectionForAllowedTokens] if production else []),
        ],
        config=StrawberryConfig(
            auto_camel_case=True, disable_field_suggestions=production, scalar_map=SCALARS
        ),
    )


schema = build_schema()
