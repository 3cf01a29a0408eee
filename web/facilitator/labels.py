"""Plain-English (and Polish) names for the domain's states and choices."""

from __future__ import annotations

from server.actions.models import ActionStatus, Rag, UpdateKind
from server.voting.models import (
    BallotSignIn,
    RankedTally,
    ResultVisibility,
    RoundState,
    VotingMethod,
)
from web.i18n import gettext as _
from web.i18n import ngettext


def action_statuses() -> dict[str, str]:
    return {
        ActionStatus.NOT_STARTED.value: _("Not started"),
        ActionStatus.IN_PROGRESS.value: _("In progress"),
        ActionStatus.BLOCKED.value: _("Blocked"),
        ActionStatus.DONE.value: _("Done"),
        ActionStatus.DROPPED.value: _("Dropped"),
    }


def rags() -> dict[str, str]:
    return {
        Rag.RED.value: _("Red: in trouble"),
        Rag.AMBER.value: _("Amber: at risk"),
        Rag.GREEN.value: _("Green: on track"),
    }


def rag(value: Rag) -> str:
    return rags()[value]


def update_kinds() -> dict[str, tuple[str, str]]:
    return {
        UpdateKind.PROGRESS.value: (_("Progress"), _("Something moved forward.")),
        UpdateKind.BLOCKER.value: (_("Blocker"), _("Something is in the way.")),
        UpdateKind.LEARNING.value: (_("Learning"), _("Something we found out.")),
        UpdateKind.ASK_FOR_HELP.value: (_("Ask for help"), _("Something we need from others.")),
    }


def methods() -> dict[str, tuple[str, str]]:
    return {
        VotingMethod.APPROVAL.value: (
            _("Approval"),
            _("Tick every proposal you support. Simplest on paper."),
        ),
        VotingMethod.DOTS.value: (
            _("Dots"),
            _("Share out a number of dots; more dots for what matters more."),
        ),
        VotingMethod.RANKED.value: (
            _("Ranked"),
            _("Number the proposals 1, 2, 3 in order of preference."),
        ),
    }


def tallies() -> dict[str, tuple[str, str]]:
    return {
        RankedTally.BORDA.value: (
            _("Borda count"),
            _(
                "Points by position: with 5 proposals, a first choice gets 5 points, a second "
                "4, and so on. Easy to explain in the room."
            ),
        ),
        RankedTally.SCHULZE.value: (
            _("Schulze"),
            _(
                "Compares every pair of proposals: the winner is the one people put above "
                "each other proposal. Hard to game, harder to explain."
            ),
        ),
    }


def visibilities() -> dict[str, tuple[str, str]]:
    return {
        ResultVisibility.AFTER_CLOSE.value: (
            _("When the round closes"),
            _("Nobody is swayed by early results."),
        ),
        ResultVisibility.AFTER_OWN_BALLOT.value: (
            _("After someone has voted"),
            _("Each person sees the results once they have voted."),
        ),
        ResultVisibility.LIVE.value: (_("Live, to everyone"), _("Results show as votes come in.")),
    }


def score(method: VotingMethod, value: float) -> str:
    """A priority's score in words; every method's scores are whole numbers."""
    n = int(value)
    match method:
        case VotingMethod.APPROVAL:
            words = ngettext("%(num)s vote", "%(num)s votes", n)
        case VotingMethod.DOTS:
            words = ngettext("%(num)s dot", "%(num)s dots", n)
        case VotingMethod.RANKED:
            words = ngettext("%(num)s point", "%(num)s points", n)
    return words % {"num": n}


def round_states() -> dict[str, str]:
    return {
        RoundState.DRAFT.value: _("Draft, not open yet"),
        RoundState.OPEN.value: _("Open for voting"),
        RoundState.CLOSED.value: _("Closed"),
    }


def online_sign_ins() -> dict[str, tuple[str, str]]:
    return {
        BallotSignIn.ANY.value: (
            _("Anyone taking part"),
            _("People who joined with the code can vote on their phones too."),
        ),
        BallotSignIn.VERIFIED.value: (
            _("Only people with a verified sign-in"),
            _(
                "Online ballots need NHS login or another account whose email is checked. "
                "People who joined with the code vote in the room: you record their paper."
            ),
        ),
    }
