"""The demo tells one area's whole story through GraphQL: the question in the room,
what people answered and its themes, the ideas it seeded, the vote, and the actions it
produced; and the city page shows its areas at different stages."""

from __future__ import annotations

from server import demo
from server.people.models import Role
from tests.support import Api

STORY = """{ area(slug: "willenhall") { conversations(first: 2) { edges { node {
  title prompt location headcount participantCount closingSummary status
  facilitators { displayName }
  stories { tellerPseudonym body }
  themeSummary { answers examples theme { name } }
  proposals { title fromAnswer { id } fromTheme { name } }
  rounds { title state results { rows { rank proposal { title } } } }
  actions { title status rag }
} } } } }"""

CITY = """{ area(slug: "coventry") { children { slug stage { stage conversationsHeld
  openRounds adoptedActions } } } }"""


async def test_the_demo_tells_willenhalls_story_from_question_to_action(api: Api) -> None:
    assert await api.run(demo.seed) is True
    board = await api.someone("Board", roles=[(Role.BOARD, "coventry")])
    edges = (await api.data(STORY, as_=board))["area"]["conversations"]["edges"]
    big = next(e["node"] for e in edges if e["node"]["title"].startswith("Big Conversation"))
    assert big["prompt"] == "What keeps you well?"
    assert (big["headcount"], big["status"]) == (38, "CLOSED")
    assert big["participantCount"] >= 7
    assert big["closingSummary"].startswith("Thirty-eight of us")
    assert big["facilitators"] == [{"displayName": "Clare"}]
    assert big["stories"][0]["body"] is not None
    themes = {row["theme"]["name"]: row for row in big["themeSummary"]}
    assert themes["pets"]["answers"] == 2
    assert themes["pets"]["examples"] == [
        "My dog. She gets me out twice a day whatever the weather."
    ]
    seeded = {p["title"]: p for p in big["proposals"]}
    assert seeded["Bring-your-dog afternoons at the drop-in"]["fromTheme"] == {"name": "pets"}
    assert seeded["Bring-your-dog afternoons at the drop-in"]["fromAnswer"] is None
    closed = next(r for r in big["rounds"] if r["state"] == "CLOSED")
    assert closed["results"]["rows"][0]["rank"] == 1
    assert len(big["actions"]) >= 5


async def test_the_city_page_shows_areas_at_different_stages(api: Api) -> None:
    assert await api.run(demo.seed) is True
    board = await api.someone("Board", roles=[(Role.BOARD, "coventry")])
    children = (await api.data(CITY, as_=board))["area"]["children"]
    stages = {c["slug"]: c["stage"]["stage"] for c in children}
    assert stages["willenhall"] == "ACTING"
    assert stages["foleshill"] == "ACTING"
    assert stages["hillfields"] == "LISTENING"
    assert stages["canley"] == "NOT_STARTED"
