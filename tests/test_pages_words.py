"""What pages say: one UK date format in both languages, plural forms that follow each
language's rules, gender-neutral Polish, plain English, and every ballot mistake at
once."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

from babel.messages.pofile import read_po

from server.people.models import Role
from tests.http_browser import Browser
from tests.plan_support import Plan, pk
from tests.resident_support import account
from tests.support import Api

RESIDENT = "rosa@example.org"
FACILITATOR = "fran@example.org"
# "November 29, 2026": the American order the pages must not use.
MONTH_FIRST = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November"
    r"|December) \d{1,2}, \d{4}"
)


async def _signed_in(
    api: Api, browser: Browser, email: str = RESIDENT, role: Role = Role.PARTICIPANT
) -> None:
    await account(api, email, email.split("@")[0].title(), role=role)
    assert (await browser.sign_in(email)).status_code == 303


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


async def test_dates_are_written_the_uk_way_on_every_page(api: Api, browser: Browser) -> None:
    plan = await Plan.build(api)
    target = datetime(2027, 6, 30, 12, tzinfo=UTC)
    action = await plan.adopt(0, targetDate=target.isoformat())
    await plan.post(action, "PROGRESS", "We met.")
    await _signed_in(api, browser)
    for path in (
        "/areas/willenhall/plan",
        f"/actions/{pk(action)}",
        f"/proposals/{pk(plan.proposals[0])}",
    ):
        for language in ("en", "pl"):
            page = (await browser.page(f"{path}?lang={language}")).text
            assert not MONTH_FIRST.search(page), (path, MONTH_FIRST.search(page))
    assert "30 June 2027" in (await browser.page(f"/actions/{pk(action)}?lang=en")).text
    assert "30 czerwca 2027" in (await browser.page(f"/actions/{pk(action)}?lang=pl")).text


async def test_dot_counts_use_each_languages_plural_forms(api: Api, browser: Browser) -> None:
    plan = await Plan.build(api)
    await _signed_in(api, browser)
    expected = {
        (1, "en"): "You have 1 dot to share out.",
        (5, "en"): "You have 5 dots to share out.",
        (2, "pl"): "Masz 2 kropki do rozdania.",
        (5, "pl"): "Masz 5 kropek do rozdania.",
        (22, "pl"): "Masz 22 kropki do rozdania.",
    }
    for (total, language), sentence in expected.items():
        round_id = await plan.world.round(
            plan.proposals, method="DOTS", dotsPerPerson=total, maxDotsPerItem=min(total, 3)
        )
        page = (await browser.page(f"/rounds/{pk(round_id)}?lang={language}")).text
        assert sentence in page
        if language == "pl" and total > 3:
            assert "Na jeden pomysł możesz dać najwyżej 3 kropki." in page
            assert "3 kropek" not in page
        # The live count's messages, one per plural category, for resident.js.
        over = json.loads(re.search(r"data-over='([^']*)'", page).group(1))  # type: ignore[union-attr]
        if language == "en":
            assert over["one"] == "You have used {num} dot too many. Take it away."
            assert over["other"] == "You have used {num} dots too many. Take some away."
        else:
            assert set(over) >= {"one", "few", "many"}
            assert over["few"] == "Masz o {num} kropki za dużo. Zabierz część."


def test_polish_pages_do_not_assume_the_reader_is_a_man() -> None:
    with open("web/locale/pl/LC_MESSAGES/messages.po", "rb") as source:
        catalog = read_po(source, locale="pl")
    # Second-person past tense in the masculine ("zagłosowałeś", "wybrałeś").
    masculine = re.compile(r"\w+łeś\b")
    found = [
        string
        for message in catalog
        for string in (
            [message.string] if isinstance(message.string, str) else list(message.string or [])
        )
        if masculine.search(string)
    ]
    assert found == []


async def test_a_finished_vote_says_how_many_voted_not_so_far(api: Api, browser: Browser) -> None:
    plan = await Plan.build(api)
    await _signed_in(api, browser)
    page = _text((await browser.page(f"/rounds/{pk(plan.round)}")).text)
    assert "2 people voted." in page
    assert "so far" not in page


async def test_the_voted_tag_is_not_jammed_against_the_closing_time(
    api: Api, browser: Browser
) -> None:
    plan = await Plan.build(api)
    closes = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    round_id = await plan.world.round(plan.proposals, closesAt=closes)
    await _signed_in(api, browser)
    await browser.submit(
        f"/rounds/{pk(round_id)}",
        f"/rounds/{pk(round_id)}",
        {"approve": str(pk(plan.proposals[0]))},
    )
    page = (await browser.page("/areas/willenhall")).text
    assert "You have voted" in page
    assert not re.search(r"\d\d:\d\d\.\s*<strong", page)


async def test_closing_a_round_whose_title_asks_a_question_asks_only_once(
    api: Api, browser: Browser
) -> None:
    plan = await Plan.build(api)
    round_id = await plan.world.round(plan.proposals)
    await _signed_in(api, browser, FACILITATOR, role=Role.FACILITATOR)
    page = (await browser.page(f"/facilitate/rounds/{pk(round_id)}/close")).text
    assert "<h1>Close this round?</h1>" in page
    assert "??" not in page


async def test_a_ballot_shows_every_mistake_at_once(api: Api, browser: Browser) -> None:
    plan = await Plan.build(api)
    walking, drop_in, garden = (pk(p) for p in plan.proposals)
    round_id = await plan.world.round(
        plan.proposals, method="DOTS", dotsPerPerson=8, maxDotsPerItem=3
    )
    await _signed_in(api, browser)
    path = f"/rounds/{pk(round_id)}"
    answer = await browser.submit(
        path, path, {f"dots-{walking}": "3", f"dots-{drop_in}": "3", f"dots-{garden}": "4"}
    )
    assert answer.status_code == 400
    summary = answer.text.split('class="nhsuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    assert f'<a href="#dots-{garden}">You can put up to 3 dots on one idea.</a>' in summary
    assert "You gave 10 dots but you have only 8. Take some dots away." in summary


async def test_plain_words_for_residents_and_explained_terms_for_facilitators(
    api: Api, browser: Browser
) -> None:
    plan = await Plan.build(api)
    ranked = await plan.world.round(plan.proposals, method="RANKED", open=False)
    action = await plan.adopt(0)
    await _signed_in(api, browser, FACILITATOR, role=Role.FACILITATOR)
    home = _text((await browser.page("/")).text)
    assert "GraphQL" not in home
    assert "For partner organisations" in home
    plan_page = _text((await browser.page("/areas/willenhall/plan")).text)
    for jargon in ("Amber", "Green", "RAG", "Borda", "Schulze"):
        assert jargon not in plan_page
    round_page = _text((await browser.page(f"/facilitate/rounds/{pk(ranked)}")).text)
    assert "Borda count" in round_page
    assert "a first choice gets" in round_page
    new_round = _text((await browser.page("/facilitate/areas/willenhall/rounds/new")).text)
    assert "the winner is the one people put above each other proposal" in new_round
    action_page = _text((await browser.page(f"/facilitate/actions/{pk(action)}")).text)
    assert "How it is going (RAG: red, amber or green)" in action_page
    assert "Core team" not in action_page
