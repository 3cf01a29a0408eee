"""Checking a document before it is registered for clients to send by hash."""

from __future__ import annotations

from graphql import GraphQLError, OperationDefinitionNode, parse, validate

from schema import schema
from schema.limits import Refused, measure


def check_document(text: str) -> tuple[list[str], list[str]]:
    """(what is wrong with ``text`` for this schema, its operations' names)."""
    try:
        document = parse(text)
    except GraphQLError as error:
        return [error.message], []
    problems = [error.message for error in validate(schema._schema, document)]
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    for operation in operations:
        name = operation.name.value if operation.name else None
        try:
            measure(schema._schema, document, name, {})
        except Refused as error:
            problems.append(str(error))
    return problems, [o.name.value for o in operations if o.name]
