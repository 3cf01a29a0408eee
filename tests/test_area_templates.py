"""New areas from a template, and each area's stage for the board's city view."""

from __future__ import annotations

from tests.support import Api, World
from tests.test_cli import run

SETTINGS = "settings { prompts round { method dotsPerPerson maxDotsPerItem resultVisibility } }"


async def _template_willenhall(api: Api, world: World) -> None:
    await api.ok(
        "createTheme",
        {"areaSlug": "willenhall", "name": "faith groups"},
        as_=world.facilitator,
        returning="theme { id }",
    )
    await api.ok(
        "updateAreaSettings",
        {
            "areaSlug": "willenhall",
            "prompts": ["What keeps you well?", "What gets in the way?"],
            "roundMethod": "RANKED",
            "dotsPerPerson": 6,
            "maxDotsPerItem": 2,
            "roundResultVisibility": "LIVE",
        },
        as_=world.facilitator,
        returning="area { slug }",
    )
    await api.ok(
        "startConversation",
        {"areaSlug": "willenhall", "title": "Not copied", "prompt": "What keeps you well?"},
        as_=world.facilitator,
        returning="conversation { id }",
    )
    await world.proposal("Not copied either")


async def test_a_new_area_copies_a_templates_themes_prompts_and_round_settings(
    api: Api,
) -> None:
    world = await World(api).build()
    await _template_willenhall(api, world)
    created = await api.ok(
        "createArea",
        {
            "name": "Foleshill",
            "slug": "foleshill",
            "parentSlug": "coventry",
            "templateSlug": "willenhall",
        },
        as_=world.admin,
        returning=f"area {{ themes {{ name }} {SETTINGS} conversations {{ edges {{ cursor }} }} "
        "proposals { totalCount } coreTeams { id } }",
    )
    area = created["area"]
    assert "faith groups" in {t["name"] for t in area["themes"]}
    assert len(area["themes"]) == 9
    assert area["settings"] == {
        "prompts": ["What keeps you well?", "What gets in the way?"],
        "round": {
            "method": "RANKED",
            "dotsPerPerson": 6,
            "maxDotsPerItem": 2,
            "resultVisibility": "LIVE",
        },
    }
    assert area["conversations"]["edges"] == []
    assert area["proposals"]["totalCount"] == 0
    unknown = await api.error(
        "createArea",
        {"name": "X", "slug": "x", "parentSlug": "coventry", "templateSlug": "nowhere"},
        as_=world.admin,
    )
    assert (unknown["code"], unknown["field"]) == ("NOT_FOUND", ["templateSlug"])


async def test_the_cli_adds_an_area_from_a_template(api: Api, database_url: str) -> None:
    world = await World(api).build()
    await _template_willenhall(api, world)
    added = run(
        database_url,
        "area",
        "add",
        "radford",
        "Radford",
        "--parent",
        "coventry",
        "--template",
        "willenhall",
    )
    assert added.returncode == 0, added.stderr
    data = await api.data(
        f'{{ area(slug: "radford") {{ {SETTINGS} themes {{ name }} }} }}', as_=world.board
    )
    assert data["area"]["settings"]["round"]["method"] == "RANKED"
    assert "faith groups" in {t["name"] for t in data["area"]["themes"]}
    missing = run(database_url, "area", "add", "bell-green", "Bell Green", "--template", "nowhere")
    assert missing.returncode != 0


async def test_round_settings_are_checked(api: Api) -> None:
    world = await World(api).build()
    error = await api.error(
        "updateAreaSettings",
        {"areaSlug": "willenhall", "dotsPerPerson": 4, "maxDotsPerItem": 5},
        as_=world.facilitator,
    )
    assert (error["code"], error["field"]) == ("INVALID_INPUT", ["maxDotsPerItem"])
    empty = await api.error(
        "updateAreaSettings", {"areaSlug": "willenhall", "prompts": []}, as_=world.facilitator
    )
    assert (empty["code"], empty["field"]) == ("INVALID_INPUT", ["prompts"])


STAGE = (
    "stage { stage conversationsHeld peopleTakingPart openRounds adoptedActions "
    "actionsByRag { rag count } lastActivityAt }"
)


async def test_each_areas_stage_for_the_city(api: Api) -> None:
    world = await World(api).build()
    await api.ok(
        "startConversation",
        {"areaSlug": "willenhall", "title": "Talk", "prompt": "What keeps you well?"},
        as_=world.facilitator,
        returning="conversation { id }",
    )
    idea = await world.proposal()
    voting_round = await world.round([idea])
    await world.cast(voting_round, world.gp, {"proposalId": idea})
    data = await api.data(
        f'{{ area(slug: "coventry") {{ {STAGE} children {{ slug {STAGE} }} }} }}', as_=world.board
    )
    children = {c["slug"]: c["stage"] for c in data["area"]["children"]}
    willenhall = children["willenhall"]
    assert willenhall["stage"] == "DECIDING"
    assert (willenhall["conversationsHeld"], willenhall["openRounds"]) == (1, 1)
    assert willenhall["peopleTakingPart"] == 3  # the facilitator, the resident, the GP
    assert willenhall["lastActivityAt"] is not None
    assert children["tile-hill"]["stage"] == "NOT_STARTED"
    await world.close(voting_round)
    await api.ok(
        "adoptPriority",
        {"roundId": voting_round, "proposalId": idea},
        as_=world.facilitator,
        returning="action { id }",
    )
    after = await api.data(f'{{ area(slug: "coventry") {{ {STAGE} }} }}', as_=world.board)
    city = after["area"]["stage"]
    assert city["stage"] == "ACTING"
    assert city["adoptedActions"] == 1
    assert sum(r["count"] for r in city["actionsByRag"]) == 1
