"""The demo shows a living action plan: done, dropped, blocked, stale, asking for help,
needing a new lead, across Coventry's areas."""

from __future__ import annotations

from server import demo
from server.people.models import Role
from tests.support import Api

QUERY = """{ areas { slug }
  area(slug: "coventry") { actionPlanSummary {
    adopted done byStatus { status count } byRag { rag count }
    stale { title } blocked { title rag } overdue { title } needsLead { title }
    openAsks { title } }
    priorities(includeChildren: true) { proposal { title } action { closingStatement } } } }"""


async def test_the_demo_has_a_living_action_plan(api: Api) -> None:
    assert await api.run(demo.seed) is True
    board = await api.someone("Board", roles=[(Role.BOARD, "coventry")])
    data = await api.data(QUERY, as_=board)
    assert {a["slug"] for a in data["areas"]} == {
        "coventry",
        "willenhall",
        "foleshill",
        "hillfields",
        "wood-end",
        "canley",
        "radford",
    }
    summary = data["area"]["actionPlanSummary"]
    status = {row["status"]: row["count"] for row in summary["byStatus"]}
    assert status == {"NOT_STARTED": 1, "IN_PROGRESS": 3, "BLOCKED": 1, "DONE": 1, "DROPPED": 1}
    assert summary["adopted"] == 7
    assert summary["stale"] == [{"title": "Peer mentors who have been through it"}]
    assert summary["blocked"] == [{"title": "A drop-in with no appointment needed", "rag": "RED"}]
    assert summary["overdue"] == [{"title": "A drop-in with no appointment needed"}]
    assert summary["needsLead"] == [{"title": "Same-day call back from the GP"}]
    assert summary["openAsks"] == [{"title": "A men's group that meets every week"}]
    statements = [
        p["action"]["closingStatement"]
        for p in data["area"]["priorities"]
        if p["action"] and p["action"]["closingStatement"]
    ]
    assert len(statements) == 2
    assert statements[0].startswith("Dropped, for a good reason")
