"""What each notification says, in the language in force (``i18n.speaking`` or the
page's). Plain words, names only: never a role, a kind or an organisation."""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_datetime

from server.notifications.models import EmailDelivery, Notification, NotificationKind
from web import i18n
from web.i18n import gettext as _


def _when(iso: str) -> str:
    moment = i18n.local_time(datetime.fromisoformat(iso))
    return format_datetime(moment, "d MMMM y, HH:mm", locale=i18n.current_language())


def _quoted(titles: list[str]) -> str:
    return ", ".join(f"{rank}. {title}" for rank, title in enumerate(titles, start=1))


def message(notification: Notification, actor_name: str | None) -> str:
    """The notification in one or two sentences. ``actor_name``: who did it, if known."""
    p = dict(notification.params)
    p["name"] = actor_name or _("Someone")
    match notification.kind:
        case NotificationKind.ROUND_OPENED:
            if p.get("closes_at"):
                p["when"] = _when(p["closes_at"])
                return _("A vote has opened in %(area)s: “%(round)s”. It closes %(when)s.") % p
            return _("A vote has opened in %(area)s: “%(round)s”.") % p
        case NotificationKind.RESULTS_PUBLISHED:
            if p.get("top"):
                p["top"] = _quoted(p["top"])
                return _("The results of “%(round)s” are out. People chose first: %(top)s.") % p
            return _("The results of “%(round)s” are out.") % p
        case NotificationKind.PROPOSAL_ADOPTED:
            return _("Your idea “%(proposal)s” was adopted: it is now the action “%(action)s”.") % p
        case NotificationKind.PROPOSAL_DECLINED:
            return _("Your idea “%(proposal)s” was declined. The reason given: %(reason)s") % p
        case NotificationKind.PROPOSAL_MERGED:
            return (
                _("Your idea “%(proposal)s” was merged into “%(into)s”, where the talk goes on.")
                % p
            )
        case NotificationKind.CONTENT_HIDDEN:
            if p.get("what") == "Comment":
                return (
                    _("A facilitator hid your comment on “%(title)s”. The reason given: %(reason)s")
                    % p
                )
            if p.get("what") == "Proposal":
                return (
                    _("A facilitator hid your idea “%(title)s”. The reason given: %(reason)s") % p
                )
            return _("A facilitator hid something you wrote. The reason given: %(reason)s") % p
        case NotificationKind.ACTION_UPDATED:
            return _update(p)
        case NotificationKind.ACTION_CLOSED:
            if p.get("status") == "dropped":
                return _("“%(action)s” was dropped. What the team says: %(statement)s") % p
            return _("“%(action)s” is done. What the team says: %(statement)s") % p
        case NotificationKind.HELP_ANSWERED:
            if p.get("answer"):
                return _("Your ask for help on “%(action)s” was answered: %(answer)s") % p
            return _("%(name)s offered help on “%(action)s”, where you asked for help.") % p
        case NotificationKind.COMMENT_REPLY:
            return _("%(name)s replied to your comment on “%(on)s”.") % p
        case NotificationKind.REPORT_WAITING:
            return _("A report waits in the moderation queue for %(area)s: %(reason)s") % p
        case NotificationKind.ACTION_NEEDS_LEAD:
            return _("The action “%(action)s” in %(area)s has no lead.") % p


def _update(p: dict[str, object]) -> str:
    match p.get("update"):
        case "blocker":
            return _("“%(action)s” has hit a problem: %(body)s") % p
        case "learning":
            return _("The team behind “%(action)s” learnt something: %(body)s") % p
        case "ask_for_help":
            return _("The team behind “%(action)s” asks for help: %(body)s") % p
    if p.get("percent") is not None:
        return _("News on “%(action)s” (%(percent)s%% done): %(body)s") % p
    return _("News on “%(action)s”: %(body)s") % p


def heading(kind: NotificationKind) -> str:
    """A short title for a kind: an email's subject, a digest's section."""
    return {
        NotificationKind.ROUND_OPENED: _("Votes that opened"),
        NotificationKind.RESULTS_PUBLISHED: _("Results of votes you took part in"),
        NotificationKind.PROPOSAL_ADOPTED: _("Your idea was adopted"),
        NotificationKind.PROPOSAL_DECLINED: _("Your idea was declined"),
        NotificationKind.PROPOSAL_MERGED: _("Your idea was merged"),
        NotificationKind.CONTENT_HIDDEN: _("Something you wrote was hidden"),
        NotificationKind.ACTION_UPDATED: _("News of actions you care about"),
        NotificationKind.ACTION_CLOSED: _("Actions that were done or dropped"),
        NotificationKind.HELP_ANSWERED: _("Answers to your ask for help"),
        NotificationKind.COMMENT_REPLY: _("Replies to your comments"),
        NotificationKind.REPORT_WAITING: _("Reports waiting for moderation"),
        NotificationKind.ACTION_NEEDS_LEAD: _("Actions without a lead"),
    }[kind]


def choice(kind: NotificationKind) -> str:
    """What a preference is about, on the preferences page."""
    return {
        NotificationKind.ROUND_OPENED: _("A vote opens in an area you take part in"),
        NotificationKind.RESULTS_PUBLISHED: _("The results of a vote you took part in are out"),
        NotificationKind.PROPOSAL_ADOPTED: _("Your idea is adopted as an action"),
        NotificationKind.PROPOSAL_DECLINED: _("Your idea is declined"),
        NotificationKind.PROPOSAL_MERGED: _("Your idea is merged into another"),
        NotificationKind.CONTENT_HIDDEN: _("Something you wrote is hidden"),
        NotificationKind.ACTION_UPDATED: _("News of an action that came from your idea or vote"),
        NotificationKind.ACTION_CLOSED: _("An action from your idea or vote is done or dropped"),
        NotificationKind.HELP_ANSWERED: _("Someone answers your ask for help"),
        NotificationKind.COMMENT_REPLY: _("Someone replies to your comment"),
        NotificationKind.REPORT_WAITING: _("Facilitators: a report waits for moderation"),
        NotificationKind.ACTION_NEEDS_LEAD: _("Facilitators: an action has no lead"),
    }[kind]


def delivery(email: EmailDelivery) -> str:
    return {
        EmailDelivery.IMMEDIATE: _("Email at once"),
        EmailDelivery.DAILY: _("Daily summary"),
        EmailDelivery.WEEKLY: _("Weekly summary"),
        EmailDelivery.OFF: _("No email"),
    }[email]


def digest_title(route: EmailDelivery) -> str:
    if route is EmailDelivery.WEEKLY:
        return _("Your weekly summary from Levelground")
    return _("Your daily summary from Levelground")
