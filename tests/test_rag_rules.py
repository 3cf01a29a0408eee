"""The effective RAG and flags of an action: worked cases of server.actions.health."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from server.actions.health import Facts, assess
from server.actions.models import ActionStatus, Rag

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
ADOPTED = NOW - timedelta(days=10)


def facts(**changes: object) -> Facts:
    base: dict[str, object] = {
        "status": ActionStatus.IN_PROGRESS,
        "declared_rag": Rag.GREEN,
        "adopted_at": ADOPTED,
        "last_update_at": NOW - timedelta(days=2),
    }
    return Facts(**{**base, **changes})  # type: ignore[arg-type]


def test_an_action_going_to_plan_is_green_with_no_flags() -> None:
    health = assess(facts(target_date=NOW + timedelta(days=30)), NOW)
    assert health.rag is Rag.GREEN
    assert [health.overdue, health.blocked, health.stale, health.needs_lead] == [False] * 4
    assert health.reasons == ()


def test_a_passed_target_date_makes_it_at_least_amber() -> None:
    health = assess(facts(target_date=NOW - timedelta(days=1)), NOW)
    assert (health.rag, health.overdue) == (Rag.AMBER, True)
    assert health.reasons == ("past its target date",)


def test_the_target_date_is_not_overdue_until_it_has_passed() -> None:
    assert not assess(facts(target_date=NOW), NOW).overdue


def test_an_open_blocker_makes_it_at_least_amber() -> None:
    health = assess(facts(open_blockers=1), NOW)
    assert (health.rag, health.blocked) == (Rag.AMBER, True)


def test_a_blocked_status_without_a_blocker_update_is_amber_too() -> None:
    assert assess(facts(status=ActionStatus.BLOCKED), NOW).rag is Rag.AMBER


def test_blocked_and_overdue_together_is_red() -> None:
    health = assess(facts(open_blockers=2, target_date=NOW - timedelta(days=3)), NOW)
    assert health.rag is Rag.RED
    assert health.reasons == ("past its target date", "2 open blocker(s)")


def test_no_update_for_30_days_is_stale_and_amber() -> None:
    health = assess(facts(last_update_at=NOW - timedelta(days=30)), NOW)
    assert (health.rag, health.stale) == (Rag.AMBER, True)
    assert health.reasons == ("no update for 30 days",)


def test_29_days_without_an_update_is_not_stale() -> None:
    assert not assess(facts(last_update_at=NOW - timedelta(days=29, hours=23)), NOW).stale


def test_staleness_counts_from_adoption_when_there_was_never_an_update() -> None:
    fresh = facts(last_update_at=None, adopted_at=NOW - timedelta(days=5))
    forgotten = facts(last_update_at=None, adopted_at=NOW - timedelta(days=45))
    assert not assess(fresh, NOW).stale
    assert assess(forgotten, NOW).stale


def test_an_overdue_milestone_makes_it_at_least_amber() -> None:
    health = assess(facts(overdue_milestones=1), NOW)
    assert (health.rag, health.overdue_milestones) == (Rag.AMBER, 1)


def test_rules_raise_the_declared_rag_but_never_lower_it() -> None:
    assert assess(facts(declared_rag=Rag.RED), NOW).rag is Rag.RED
    assert assess(facts(declared_rag=Rag.RED, open_blockers=1), NOW).rag is Rag.RED
    assert assess(facts(declared_rag=Rag.AMBER), NOW).reasons == ("the team says AMBER",)


def test_asking_for_help_is_flagged_but_never_counts_against_the_team() -> None:
    health = assess(facts(open_asks=2), NOW)
    assert (health.rag, health.open_asks, health.reasons) == (Rag.GREEN, 2, ())


@pytest.mark.parametrize(
    ("has_lead", "lead_on_team", "needs_lead"),
    [
        (True, True, False),  # the lead is on the owning team
        (True, False, True),  # the lead left the team: reassign
        (False, None, True),  # nobody leads it yet
        (True, None, False),  # no owning team: any lead will do
    ],
)
def test_needs_lead_when_nobody_leads_or_the_lead_left_the_team(
    has_lead: bool, lead_on_team: bool | None, needs_lead: bool
) -> None:
    health = assess(facts(has_lead=has_lead, lead_on_team=lead_on_team), NOW)
    assert health.needs_lead is needs_lead
    assert health.rag is Rag.GREEN


def test_done_is_green_whatever_else_is_true() -> None:
    done = facts(
        status=ActionStatus.DONE,
        declared_rag=Rag.RED,
        target_date=NOW - timedelta(days=90),
        last_update_at=NOW - timedelta(days=90),
        open_blockers=1,
    )
    assert assess(done, NOW).rag is Rag.GREEN
    assert not assess(done, NOW).stale


def test_dropped_keeps_the_declared_rag_and_carries_no_flags() -> None:
    dropped = facts(
        status=ActionStatus.DROPPED,
        declared_rag=Rag.RED,
        last_update_at=NOW - timedelta(days=90),
        has_lead=False,
    )
    health = assess(dropped, NOW)
    assert (health.rag, health.stale, health.needs_lead) == (Rag.RED, False, False)
