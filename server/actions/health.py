"""How an action is really doing: the effective RAG and the flags a board reads.

One pure function, :func:`assess`, decides it from the action's state and a ``now``, so
the same facts give the same answer in GraphQL, in exports and in tests. The rules:

1. DONE is GREEN and DROPPED keeps the RAG the team last declared; closed actions carry
   no flags (there is nothing left to chase).
2. For an open action, the effective RAG is the RAG the team declared, raised (never
   lowered) by these rules:

   - **overdue**: the target date has passed -> at least AMBER;
   - **blocked**: the status is BLOCKED or a BLOCKER update is unresolved -> at least
     AMBER;
   - **overdue and blocked** together -> RED (it cannot recover on its own);
   - **stale**: no update for 30 days (counted from adoption when there has been none)
     -> at least AMBER: no news is not good news;
   - a **milestone** past its due date and not done -> at least AMBER.

3. Flags that prompt someone without changing the RAG:

   - **openAsks**: unanswered ASK_FOR_HELP updates. Asking for help is working out
     loud, never a mark against the team;
   - **needsLead**: nobody leads the action, or its lead has left the owning core
     team. The action keeps its team and history; someone should be reassigned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from server.actions.models import ActionStatus, Rag

STALE_AFTER = timedelta(days=30)
CLOSED = frozenset({ActionStatus.DONE, ActionStatus.DROPPED})
_SEVERITY = {Rag.GREEN: 0, Rag.AMBER: 1, Rag.RED: 2}


@dataclass(frozen=True, slots=True)
class Facts:
    """What :func:`assess` needs to know about one action."""

    status: ActionStatus
    declared_rag: Rag
    adopted_at: datetime
    last_update_at: datetime | None = None
    target_date: datetime | None = None
    open_blockers: int = 0
    open_asks: int = 0
    overdue_milestones: int = 0
    has_lead: bool = True
    # None when the action has no core team (then any lead will do).
    lead_on_team: bool | None = True


@dataclass(frozen=True, slots=True)
class Health:
    rag: Rag
    overdue: bool = False
    blocked: bool = False
    stale: bool = False
    needs_lead: bool = False
    open_blockers: int = 0
    open_asks: int = 0
    overdue_milestones: int = 0
    # Why the RAG is what it is, in words for a board paper.
    reasons: tuple[str, ...] = field(default=())


def worst(*rags: Rag) -> Rag:
    return max(rags, key=_SEVERITY.__getitem__)


def assess(facts: Facts, now: datetime) -> Health:
    """The effective RAG and flags of an action at ``now`` (see the module's rules)."""
    if facts.status is ActionStatus.DONE:
        return Health(rag=Rag.GREEN)
    if facts.status in CLOSED:
        return Health(rag=facts.declared_rag)
    rag = facts.declared_rag
    reasons: list[str] = []
    if rag is not Rag.GREEN:
        reasons.append(f"the team says {rag.name}")
    overdue = facts.target_date is not None and facts.target_date < now
    blocked = facts.status is ActionStatus.BLOCKED or facts.open_blockers > 0
    last_heard = facts.last_update_at or facts.adopted_at
    stale = now - last_heard >= STALE_AFTER
    if overdue:
        rag = worst(rag, Rag.AMBER)
        reasons.append("past its target date")
    if blocked:
        rag = worst(rag, Rag.AMBER)
        reasons.append(
            f"{facts.open_blockers} open blocker(s)" if facts.open_blockers else "blocked"
        )
    if overdue and blocked:
        rag = Rag.RED
    if stale:
        rag = worst(rag, Rag.AMBER)
        reasons.append(f"no update for {(now - last_heard).days} days")
    if facts.overdue_milestones:
        rag = worst(rag, Rag.AMBER)
        reasons.append(f"{facts.overdue_milestones} milestone(s) overdue")
    needs_lead = not facts.has_lead or facts.lead_on_team is False
    return Health(
        rag=rag,
        overdue=overdue,
        blocked=blocked,
        stale=stale,
        needs_lead=needs_lead,
        open_blockers=facts.open_blockers,
        open_asks=facts.open_asks,
        overdue_milestones=facts.overdue_milestones,
        reasons=tuple(reasons),
    )
