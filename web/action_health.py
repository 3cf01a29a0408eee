"""How an action is doing, as every page shows it.

Pages take an action's RAG from here and nowhere else: the effective RAG that
server/actions/health.py works out (the one GraphQL, exports and the board read), with the
RAG the team declared shown only beside it, as what "the team said".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from server.actions import service as actions
from server.actions.health import CLOSED, Health
from server.actions.models import Action, ActionStatus, Rag


@dataclass(frozen=True, slots=True)
class Standing:
    health: Health
    declared: Rag
    status: ActionStatus

    @property
    def rag(self) -> Rag | None:
        """The effective RAG; None once the action is done or stopped, when "how it is
        going" no longer applies."""
        return None if self.status in CLOSED else self.health.rag

    @property
    def team_said(self) -> Rag | None:
        """The team's own RAG, when it differs from the effective one."""
        if self.rag is None or self.declared is self.rag:
            return None
        return self.declared


async def standings(session: AsyncSession, of: Sequence[Action]) -> dict[int, Standing]:
    health = await actions.health_of(session, [action.id for action in of])
    return {action.id: Standing(health[action.id], action.rag, action.status) for action in of}
