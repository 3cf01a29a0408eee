"""What one GraphQL operation may ask for, checked before graphql-core validates it.

One walk over the chosen operation, following fragment spreads (each fragment measured
once, so spreads that multiply cost nothing to measure, and a cycle is caught rather
than followed), measures its depth, aliases, fields and cost; the variables are walked
for size, depth and text PostgreSQL cannot keep. Anything over a limit is refused with a
GraphQL error saying which limit and by how much, before the standard validation rules
(some of which grow with the square of a document's fields) run at all.

Cost: a field returning an object costs 1, plus its selection's cost times how many
objects it may return: ``first`` for a connection (its default when not given, at most
100), ``ASSUMED_LIST_SIZE`` for a list without pagination. Scalars cost nothing.
Fields that compute rather than read (a round's results, an area's plan summary) add
their weight from ``EXPENSIVE``. Numbers are documented in the README.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from graphql import (
    BooleanValueNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    ValueNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_leaf_type,
)
from strawberry.extensions import SchemaExtension

from server.errors import ErrorCode
from server.inputs import is_storable
from server.pagination import MAX_PAGE

MAX_COST = 5000
MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_FIELDS = 1000
MAX_VARIABLE_VALUES = 2000
MAX_VARIABLE_DEPTH = 8
# A list without pagination is assumed to hold this many (an area's rounds, teams,
# actions at one time); lists that can grow long are connections with ``first``.
ASSUMED_LIST_SIZE = 5
# Lists whose size we know better than that.
LIST_SIZES: Mapping[tuple[str, str], int] = {("Area", "children"): 10, ("Person", "roles"): 3}
# Weight added by fields that compute over many rows, whatever their selection.
EXPENSIVE: Mapping[tuple[str, str], int] = {
    # 25 tallies in one request is over the limit: the flood that held a server 100 s.
    ("VotingRound", "results"): 200,
    ("Subscription", "roundTally"): 200,
    ("Area", "actionPlanSummary"): 50,
    ("Area", "priorities"): 50,
    ("Area", "actionPlan"): 20,
    ("Area", "activity"): 20,
    ("Query", "auditEvents"): 20,
}

TOO_COMPLEX = "QUERY_TOO_COMPLEX"

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Refused(Exception):
    def __init__(self, message: str, code: str = TOO_COMPLEX, **facts: int) -> None:
        super().__init__(message)
        self.code = code
        self.facts = facts


@dataclass(frozen=True)
class Measure:
    cost: int = 0
    depth: int = 0
    aliases: int = 0
    fields: int = 0

    def __add__(self, other: Measure) -> Measure:
        return Measure(
            self.cost + other.cost,
            max(self.depth, other.depth),
            self.aliases + other.aliases,
            self.fields + other.fields,
        )


class _Walk:
    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        variables: Mapping[str, Any],
        max_fields: int = MAX_FIELDS,
    ) -> None:
        self.max_fields = max_fields
        self.schema = schema
        self.variables = variables
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.measured: dict[str, Measure] = {}
        self.open: set[str] = set()
        # The variables whose values the measure depends on (a ``first: $n``).
        self.read: set[str] = set()

    def selection(self, selections: SelectionSetNode | None, parent: GraphQLNamedType) -> Measure:
        total = Measure()
        if selections is None:
            return total
        for node in selections.selections:
            if isinstance(node, FieldNode):
                total += self.field(node, parent)
            elif isinstance(node, InlineFragmentNode):
                condition = (
                    self.schema.get_type(node.type_condition.name.value)
                    if node.type_condition
                    else parent
                )
                total += self.selection(node.selection_set, condition or parent)
            elif isinstance(node, FragmentSpreadNode):
                total += self.fragment(node.name.value)
            self._check(total, self.max_fields)
        return total

    def fragment(self, name: str) -> Measure:
        if name in self.measured:
            return self.measured[name]
        definition = self.fragments.get(name)
        if definition is None:
            return Measure()  # Standard validation names the unknown fragment.
        if name in self.open:
            raise Refused(f"Fragment {name} spreads itself.", "GRAPHQL_VALIDATION_FAILED")
        self.open.add(name)
        condition = self.schema.get_type(definition.type_condition.name.value)
        found = self.selection(definition.selection_set, condition) if condition else Measure()
        self.open.discard(name)
        self.measured[name] = found
        return found

    def field(self, node: FieldNode, parent: GraphQLNamedType) -> Measure:
        for argument in node.arguments or ():
            self.literal(argument.value)
        alias = 1 if node.alias else 0
        definition = _field(parent, node.name.value)
        if definition is None:
            return Measure(aliases=alias, fields=1, depth=1)
        named = get_named_type(definition.type)
        if is_leaf_type(named):
            return Measure(aliases=alias, fields=1, depth=1)
        inner = self.selection(node.selection_set, named)
        weight = EXPENSIVE.get((parent.name, node.name.value), 0)
        cost = 1 + weight + self.multiplier(node, definition, parent) * inner.cost
        return Measure(cost, inner.depth + 1, inner.aliases + alias, inner.fields + 1)

    def multiplier(
        self, node: FieldNode, definition: GraphQLField, parent: GraphQLNamedType
    ) -> int:
        if "first" in definition.args:
            given = next((a.value for a in node.arguments or () if a.name.value == "first"), None)
            first = self.value(given) if given is not None else None
            if not isinstance(first, int) or isinstance(first, bool):
                default = definition.args["first"].default_value
                first = default if isinstance(default, int) else MAX_PAGE
            return max(0, min(first, MAX_PAGE))
        if isinstance(get_nullable_type(definition.type), GraphQLList):
            # A connection's edges were counted by its ``first``.
            if parent.name.endswith("Connection"):
                return 1
            return LIST_SIZES.get((parent.name, node.name.value), ASSUMED_LIST_SIZE)
        return 1

    def value(self, node: ValueNode) -> object:
        if isinstance(node, VariableNode):
            self.read.add(node.name.value)
            return self.variables.get(node.name.value)
        if isinstance(node, IntValueNode):
            return int(node.value) if len(node.value) < 12 else MAX_PAGE
        return None

    def literal(self, node: ValueNode) -> None:
        if isinstance(node, StringValueNode) and not is_storable(node.value):
            raise Refused(UNSTORABLE, ErrorCode.INVALID_INPUT.value)
        if isinstance(node, ListValueNode):
            for item in node.values:
                self.literal(item)
        elif isinstance(node, ObjectValueNode):
            for object_field in node.fields:
                self.literal(object_field.value)
        elif isinstance(node, BooleanValueNode | IntValueNode | VariableNode):
            return

    @staticmethod
    def _check(total: Measure, max_fields: int) -> None:
        # Checked as the walk goes, so a flood is refused after reading a limit's worth;
        # a fragment's depth is known once it is measured, so depth is checked here too.
        if total.fields > max_fields:
            raise Refused(
                f"The operation selects more than {max_fields} fields (fragments counted "
                "each time they are spread).",
                limit=max_fields,
            )
        if total.aliases > MAX_ALIASES:
            raise Refused(f"The operation uses more than {MAX_ALIASES} aliases.", limit=MAX_ALIASES)
        if total.depth > MAX_DEPTH:
            raise Refused(
                f"The operation is nested more than {MAX_DEPTH} fields deep.", limit=MAX_DEPTH
            )


UNSTORABLE = "Text cannot contain NUL characters or unpaired surrogates."


def _field(parent: GraphQLNamedType, name: str) -> GraphQLField | None:
    fields = getattr(parent, "fields", None)
    if fields is None:
        return None
    found: GraphQLField | None = fields.get(name)
    return found


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name and o.name.value == name), None)


def _root(schema: GraphQLSchema, operation: OperationDefinitionNode) -> GraphQLObjectType | None:
    return schema.get_root_type(operation.operation)


def measure(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    max_cost: int = MAX_COST,
    max_fields: int = MAX_FIELDS,
) -> Measure:
    """The chosen operation's measure; raises :class:`Refused` past any limit."""
    check_variables(variables or {})
    return _measured(schema, document, operation_name, variables or {}, max_cost, max_fields)[0]


def _measured(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any],
    max_cost: int,
    max_fields: int,
) -> tuple[Measure, frozenset[str]]:
    """The measure (variables not checked) and the variables it depended on."""
    operation = _operation(document, operation_name)
    if operation is None:
        return Measure(), frozenset()  # Standard validation explains what is wrong.
    root = _root(schema, operation)
    if root is None:
        return Measure(), frozenset()
    walk = _Walk(schema, document, variables, max_fields)
    try:
        found = walk.selection(operation.selection_set, root)
    except RecursionError as error:
        raise Refused("The operation's fragments nest too deeply.") from error
    if found.cost > max_cost:
        raise Refused(
            f"The operation would cost {found.cost}, over the limit of {max_cost}: ask for "
            "fewer items (first:), fewer aliases of expensive fields, or split it.",
            cost=found.cost,
            limit=max_cost,
        )
    return found, frozenset(walk.read)


def check_variables(variables: Mapping[str, Any]) -> None:
    """Variables small and shallow enough to coerce quickly, with storable text."""
    count = 0
    stack: list[tuple[object, int]] = [(variables, 0)]
    while stack:
        value, depth = stack.pop()
        count += 1
        if count > MAX_VARIABLE_VALUES:
            raise Refused(
                f"The variables hold more than {MAX_VARIABLE_VALUES} values.",
                ErrorCode.INVALID_INPUT.value,
                limit=MAX_VARIABLE_VALUES,
            )
        if depth > MAX_VARIABLE_DEPTH:
            raise Refused(
                f"The variables are nested more than {MAX_VARIABLE_DEPTH} levels deep.",
                ErrorCode.INVALID_INPUT.value,
                limit=MAX_VARIABLE_DEPTH,
            )
        if isinstance(value, str):
            if not is_storable(value):
                raise Refused(UNSTORABLE, ErrorCode.INVALID_INPUT.value)
        elif isinstance(value, Mapping):
            stack.extend((item, depth + 1) for item in _keys_and_values(value))
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)


def _keys_and_values(value: Mapping[str, Any]) -> Iterator[object]:
    for key, item in value.items():
        yield key
        yield item


MAX_NESTING = 40


def nesting(query: str) -> int:
    """How deeply brackets nest in a document, outside strings and comments: measured
    before parsing, because graphql-core's parser recurses once per level."""
    deepest = level = 0
    index, end = 0, len(query)
    while index < end:
        char = query[index]
        if char == "#":
            newline = query.find("\n", index)
            index = end if newline < 0 else newline
        elif query.startswith('"""', index):
            close = query.find('"""', index + 3)
            while close > 0 and query[close - 1] == "\\":
                close = query.find('"""', close + 3)
            index = end if close < 0 else close + 2
        elif char == '"':
            index += 1
            while index < end and query[index] not in '"\n':
                index += 2 if query[index] == "\\" else 1
        elif char in "{[(":
            level += 1
            deepest = max(deepest, level)
        elif char in "}])":
            level -= 1
        index += 1
    return deepest


def refusal(error: Refused) -> GraphQLError:
    return GraphQLError(str(error), extensions={"code": error.code, **error.facts})


class _Bounded(Generic[K, V]):
    """A least-recently-used map of at most ``size`` entries."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        found = self.entries.get(key)
        if found is not None:
            self.entries.move_to_end(key)
        return found

    def put(self, key: K, value: V) -> None:
        self.entries[key] = value
        self.entries.move_to_end(key)
        while len(self.entries) > self.size:
            self.entries.popitem(last=False)


# Distinct documents a process keeps: the app sends a few dozen; a flood of distinct
# ones only evicts (each entry is at most MAX_TOKENS tokens' worth of syntax tree).
DOCUMENTS_KEPT = 512


class DocumentCache:
    """What one schema learnt about documents it accepted, so a document sent again
    (every cast sends the same one) is not parsed, measured and validated again.

    Only acceptances are kept: a refused or invalid document is checked afresh each
    time. Parsing depends on the text alone; validation on the text and the rules in
    force (introspection is a rule, set per token); the measure on the text, the
    operation and the values of the variables it read (``first: $n``), never trusted
    across other values. Variables are always checked: they change every request.
    """

    def __init__(self, size: int = DOCUMENTS_KEPT) -> None:
        self.documents: _Bounded[str, DocumentNode] = _Bounded(size)
        self.valid: _Bounded[tuple[str, tuple[object, ...]], bool] = _Bounded(size)
        self.reads: _Bounded[tuple[str, str | None], frozenset[str]] = _Bounded(size)
        self.measured: _Bounded[tuple[str, str | None, str], Measure] = _Bounded(size)

    def measure(
        self,
        schema: GraphQLSchema,
        query: str,
        document: DocumentNode,
        operation_name: str | None,
        variables: Mapping[str, Any],
        max_cost: int,
        max_fields: int,
    ) -> Measure:
        check_variables(variables)
        reads = self.reads.get((query, operation_name))
        if reads is not None:
            found = self.measured.get((query, operation_name, _values(reads, variables)))
            if found is not None:
                return found
        found, reads = _measured(schema, document, operation_name, variables, max_cost, max_fields)
        self.reads.put((query, operation_name), reads)
        self.measured.put((query, operation_name, _values(reads, variables)), found)
        return found


def _values(names: frozenset[str], variables: Mapping[str, Any]) -> str:
    return repr(sorted((name, variables.get(name)) for name in names))


class OperationLimits(SchemaExtension):
    """Runs :func:`measure` where validation would start; a refusal takes validation's
    place, so the request is answered like any invalid document (400 / errors). With a
    :class:`DocumentCache`, a document accepted before skips the parser, the walk and
    the validation rules (the cache is the schema's, shared by its requests)."""

    def __init__(
        self,
        max_cost: int = MAX_COST,
        max_fields: int = MAX_FIELDS,
        cache: DocumentCache | None = None,
    ) -> None:
        self.max_cost = max_cost
        self.max_fields = max_fields
        self.cache = cache or DocumentCache(0)

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        query = context.query
        if query is None or context.graphql_document is not None:
            yield
            return
        known = self.cache.documents.get(query)
        if known is not None:
            # Set before the parser runs, so it does not.
            context.graphql_document = known
            yield
            return
        if nesting(query) > MAX_NESTING:
            raise refusal(Refused(f"The document nests brackets more than {MAX_NESTING} deep."))
        yield
        if context.graphql_document is not None and not context.pre_execution_errors:
            self.cache.documents.put(query, context.graphql_document)

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        query = context.query
        valid_key: tuple[str, tuple[object, ...]] | None = None
        if context.graphql_document is not None and context.pre_execution_errors is None:
            try:
                if query is None:
                    measure(
                        context.schema._schema,
                        context.graphql_document,
                        context.operation_name,
                        context.variables,
                        self.max_cost,
                        self.max_fields,
                    )
                else:
                    self.cache.measure(
                        context.schema._schema,
                        query,
                        context.graphql_document,
                        context.operation_name,
                        context.variables or {},
                        self.max_cost,
                        self.max_fields,
                    )
                    valid_key = (query, tuple(context.validation_rules))
                    if self.cache.valid.get(valid_key):
                        # Validated with these very rules before: the standard
                        # validation (which runs only while there are no errors) is
                        # skipped by saying there are none.
                        context.pre_execution_errors = []
                        valid_key = None
            except Refused as error:
                context.pre_execution_errors = [refusal(error)]
                valid_key = None
        yield
        if valid_key is not None and context.pre_execution_errors == []:
            self.cache.valid.put(valid_key, True)
