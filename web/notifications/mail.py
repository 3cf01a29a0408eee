"""Emails: plain text and accessible HTML, in the person's language, each with a
one-click unsubscribe (RFC 8058) and a link to the person's email choices.

Only the person's own name and address appear, and the display names of people whose
acts are the news ("Sam replied"): never anyone's email, role or organisation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from server.notifications.models import EmailDelivery, Notification, NotificationKind
from server.people.models import Person
from web import i18n
from web.i18n import gettext as _
from web.notifications import words
from web.templating import environment


@dataclass(frozen=True)
class Item:
    text: str
    url: str


@dataclass(frozen=True)
class Section:
    heading: str
    items: list[Item]
    # How many more there are than a digest shows (see them all on the site).
    more: int = 0


# A digest names at most this many of one kind; a busy week should not be a wall.
SHOWN_PER_SECTION = 10


@dataclass(frozen=True)
class Letter:
    """Where a message comes from and where its links go."""

    sender: str
    base_url: str
    unsubscribe_url: str
    message_id: str

    @property
    def preferences_url(self) -> str:
        return f"{self.base_url}/notifications/preferences"


def _sections(
    items: Sequence[Notification], names: Mapping[int, str], base_url: str
) -> list[Section]:
    """Grouped by kind, in the order kinds are listed; oldest first within a kind."""
    by_kind: dict[NotificationKind, list[Item]] = {}
    for notification in items:
        name = names.get(notification.actor_id) if notification.actor_id else None
        by_kind.setdefault(notification.kind, []).append(
            Item(words.message(notification, name), f"{base_url}/notifications/{notification.id}")
        )
    return [
        Section(
            words.heading(kind),
            by_kind[kind][:SHOWN_PER_SECTION],
            max(len(by_kind[kind]) - SHOWN_PER_SECTION, 0),
        )
        for kind in NotificationKind
        if kind in by_kind
    ]


def compose(
    person: Person,
    items: Sequence[Notification],
    names: Mapping[int, str],
    route: EmailDelivery,
    letter: Letter,
    now: datetime,
) -> EmailMessage:
    """One notification (route IMMEDIATE) or a digest of several, to ``person``."""
    assert person.email is not None
    assert items
    language = person.language or i18n.DEFAULT
    with i18n.speaking(language):
        sections = _sections(items, names, letter.base_url)
        if route is EmailDelivery.IMMEDIATE:
            subject = sections[0].heading
            stop = _("Stop emails like this one")
        else:
            subject = words.digest_title(route)
            stop = _("Stop these summaries")
        context = {
            "language": language,
            "subject": subject,
            "greeting": _("Hello %(name)s,") % {"name": person.display_name},
            "sections": sections,
            "digest": route is not EmailDelivery.IMMEDIATE,
            "why": _("You get this because you take part in Levelground."),
            "choose": _("Choose what we email you"),
            "stop": stop,
            "one_click": _("No need to sign in."),
            "open": _("Open on Levelground"),
            "more": _("And %(count)s more of these."),
            "all_url": f"{letter.base_url}/notifications",
            "see_all": _("See them all on Levelground"),
            "letter": letter,
        }
        html = environment.get_template("email/notifications.html").render(context)
        text = _plain(context)
    message = EmailMessage()
    message["From"] = letter.sender
    message["To"] = Address(display_name=person.display_name, addr_spec=person.email)
    message["Subject"] = subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = letter.message_id
    # RFC 3834: no vacation replies to a machine.
    message["Auto-Submitted"] = "auto-generated"
    message["List-Unsubscribe"] = f"<{letter.unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    # After the content: setting content clears the Content-* headers.
    message["Content-Language"] = language
    return message


def _plain(context: dict[str, object]) -> str:
    letter = context["letter"]
    assert isinstance(letter, Letter)
    lines = [str(context["greeting"]), ""]
    sections = context["sections"]
    assert isinstance(sections, list)
    for section in sections:
        if context["digest"]:
            lines += [section.heading, "-" * len(section.heading), ""]
        for item in section.items:
            lines += [item.text, f"{context['open']}: {item.url}", ""]
        if section.more:
            more = str(context["more"]) % {"count": section.more}
            lines += [more, f"{context['see_all']}: {context['all_url']}", ""]
    lines += [
        "-- ",
        str(context["why"]),
        f"{context['choose']}: {letter.preferences_url}",
        f"{context['stop']}: {letter.unsubscribe_url}",
        str(context["one_click"]),
    ]
    return "\n".join(lines) + "\n"
