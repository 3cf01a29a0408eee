"""4. examples/board_report.py, a real GraphQL client (gql over HTTPX), run as a
process against a real uvicorn server on a free port."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from examples.board_report import BOARD_PAPER
from server.persisted import service as persisted
from tests.plan_support import Plan
from tests.servers import serving
from tests.support import Api

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "board_report.py"


async def _report(url: str, *args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(EXAMPLE),
        *args,
        "--url",
        url,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={k: v for k, v in os.environ.items() if k != "LEVELGROUND_TOKEN"},
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_the_board_report_example_prints_a_board_paper(api: Api) -> None:
    plan = await Plan.build(api)
    walking, drop_in, garden = [await plan.adopt(i) for i in range(3)]
    await plan.post(
        walking,
        "PROGRESS",
        "Pilot finished.",
        status="DONE",
        closingStatement="You said walk together; we did: 40 walks.",
    )
    await plan.post(drop_in, "BLOCKER", "No room free in the daytime.", status="BLOCKED")
    await plan.post(garden, "ASK_FOR_HELP", "Spades, anyone?")
    await register_board_paper(api)
    async with serving(api.app) as url:
        code, out, err = await _report(url, "coventry", "--token", plan.world.board.token)
    assert code == 0, err
    assert out.startswith("Board report: Coventry (as of ")
    for line in (
        "Priorities adopted as actions: 3; done: 1 (33.3%)",
        "By RAG: AMBER 1, GREEN 2",
        "  - Drop-in (Willenhall): No room free in the daytime.",
        "  - Garden: Spades, anyone? (Tess Team)",
        "  - Walking group: You said walk together; we did: 40 walks.",
        "  - Willenhall: 3 actions, 1 done",
        "  - Tile Hill: 0 actions, 0 done",
    ):
        assert line in out.splitlines(), (line, out)
    assert "round closed: Which first?" in out


async def register_board_paper(api: Api) -> None:
    async def work(session: AsyncSession) -> None:
        await persisted.register(session, BOARD_PAPER, "BoardPaper")

    await api.run(work)


async def test_the_board_report_example_says_how_to_register_its_document(api: Api) -> None:
    plan = await Plan.build(api)
    async with serving(api.app) as url:
        code, out, err = await _report(url, "coventry", "--token", plan.world.board.token)
        sent_as_text = await _report(
            url, "coventry", "--token", plan.world.board.token, "--send-text"
        )
    assert (code, out) == (1, "")
    assert "levelground queries register examples/board_paper.graphql" in err
    assert sent_as_text[0] == 0, sent_as_text[2]
    assert sent_as_text[1].startswith("Board report: Coventry")


async def test_the_board_report_example_explains_refusals(api: Api) -> None:
    plan = await Plan.build(api)
    await register_board_paper(api)
    async with serving(api.app) as url:
        code, out, err = await _report(url, "coventry", "--token", "lg_not_a_token")
        missing = await _report(url, "atlantis", "--token", plan.world.board.token)
    assert (code, out) == (1, "")
    assert "refused" in err
    assert missing == (1, "", "No area called 'atlantis'.\n")
