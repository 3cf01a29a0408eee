"""States and kinds of things, in plain words (never colour alone), in the page's language."""

from __future__ import annotations

from server.actions.models import ActionStatus, Rag, UpdateKind
from server.conversations.models import ConversationStatus
from server.proposals.models import ProposalStatus
from server.voting.models import VotingMethod
from web.i18n import gettext as _
from web.i18n import ngettext, plural_forms


def action_status(status: ActionStatus) -> str:
    return {
        ActionStatus.NOT_STARTED: _("Not started yet"),
        ActionStatus.IN_PROGRESS: _("Being done now"),
        ActionStatus.BLOCKED: _("Stuck"),
        ActionStatus.DONE: _("Done"),
        ActionStatus.DROPPED: _("Stopped"),
    }[status]


def rag(value: Rag) -> str:
    # Words, not colour names: the colour is only the stripe beside them.
    return {
        Rag.GREEN: _("Going well"),
        Rag.AMBER: _("Some problems"),
        Rag.RED: _("Serious problems"),
    }[value]


def update_kind(kind: UpdateKind) -> str:
    return {
        UpdateKind.PROGRESS: _("Progress"),
        UpdateKind.BLOCKER: _("Something in the way"),
        UpdateKind.LEARNING: _("What we learned"),
        UpdateKind.ASK_FOR_HELP: _("Asking for help"),
    }[kind]


def proposal_status(status: ProposalStatus) -> str:
    return {
        ProposalStatus.OPEN: _("Open for comments"),
        ProposalStatus.SHORTLISTED: _("On the shortlist"),
        ProposalStatus.ADOPTED: _("Chosen: it is in the action plan"),
        ProposalStatus.MERGED: _("Joined with another idea"),
        ProposalStatus.DECLINED: _("Not taken forward"),
    }[status]


def conversation_status(status: ConversationStatus) -> str:
    return {
        ConversationStatus.PLANNED: _("Coming up"),
        ConversationStatus.OPEN: _("Happening now"),
        ConversationStatus.CLOSED: _("Finished"),
    }[status]


def method(value: VotingMethod) -> str:
    return {
        VotingMethod.APPROVAL: _("Tick every idea you support"),
        VotingMethod.DOTS: _("Share out your dots"),
        VotingMethod.RANKED: _("Put ideas in order"),
    }[value]


def score_heading(value: VotingMethod) -> str:
    return {
        VotingMethod.APPROVAL: _("Votes"),
        VotingMethod.DOTS: _("Dots"),
        VotingMethod.RANKED: _("Points"),
    }[value]


def dots_left_forms(total: int) -> dict[str, str]:
    """The live dots count, in every plural form, for resident.js to fill in."""
    return plural_forms(
        lambda n: ngettext(
            "You have %(num)s dot left, out of %(total)s.",
            "You have %(num)s dots left, out of %(total)s.",
            n,
        ),
        total=total,
    )


def dots_over_forms() -> dict[str, str]:
    return plural_forms(
        lambda n: ngettext(
            "You have used %(num)s dot too many. Take it away.",
            "You have used %(num)s dots too many. Take some away.",
            n,
        )
    )


ALL = {
    "action_status_words": action_status,
    "rag_words": rag,
    "update_kind_words": update_kind,
    "proposal_status_words": proposal_status,
    "conversation_status_words": conversation_status,
    "method_words": method,
    "score_heading": score_heading,
    "dots_left_forms": dots_left_forms,
    "dots_over_forms": dots_over_forms,
}
