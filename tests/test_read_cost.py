"""What keeps a long read cheap per row, checked where it is decided (the figures are
bench/'s): a priority's proposal is a value its list filled in, not a resolver run once
per row through Strawberry's argument and extension machinery."""

from __future__ import annotations

from schema.voting.types import PriorityType
from tests.plan_support import Plan
from tests.support import Api


def test_a_priority_carries_its_proposal_as_a_value() -> None:
    definition = PriorityType.__strawberry_definition__  # type: ignore[attr-defined]
    proposal = next(f for f in definition.fields if f.python_name == "proposal")
    assert proposal.base_resolver is None


async def test_priorities_read_the_same_however_their_proposal_is_asked_for(api: Api) -> None:
    plan = await Plan.build(api)
    board = plan.world.board
    bare = """{ area(slug: "willenhall") { priorities { rank } } }"""
    assert (await api.data(bare, as_=board))["area"]["priorities"] == [
        {"rank": 1},
        {"rank": 2},
        {"rank": 3},
    ]
    direct = """{ area(slug: "willenhall") { priorities { rank proposal { title } } } }"""
    through_fragments = """{ area(slug: "willenhall") { priorities { rank ...P } } }
        fragment P on Priority { ... on Priority { proposal { title } } }"""
    titles = [
        {"rank": 1, "proposal": {"title": "Walking group"}},
        {"rank": 2, "proposal": {"title": "Drop-in"}},
        {"rank": 3, "proposal": {"title": "Garden"}},
    ]
    assert (await api.data(direct, as_=board))["area"]["priorities"] == titles
    assert (await api.data(through_fragments, as_=board))["area"]["priorities"] == titles
