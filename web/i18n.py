"""Translations for pages: English complete, Polish second; the choice is remembered.

Catalogs are the .po files under web/locale, read at start-up (no compile step). The
language comes from ``?lang=`` (then remembered in a cookie), else the cookie, else the
browser's Accept-Language, else English.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES: Mapping[str, str] = {"en": "English", "pl": "Polski"}
DEFAULT = "en"
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600

# English as written in the UK (dates, lists), where the pages are used.
_BABEL_LOCALES: Mapping[str, str] = {"en": "en_GB", "pl": "pl"}

_current: contextvars.ContextVar[str] = contextvars.ContextVar("language", default=DEFAULT)


@cache
def translations(language: str) -> NullTranslations:
    po_file = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if language == DEFAULT or not po_file.exists():
        return NullTranslations()
    with po_file.open("rb") as source:
        catalog = read_po(source, locale=language)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def current_language() -> str:
    return _current.get()


def _locale() -> Locale:
    return Locale.parse(_BABEL_LOCALES[_current.get()])


def gettext(message: str) -> str:
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_current.get()).ngettext(singular, plural, n)


def _from_accept_language(header: str) -> str | None:
    choices: list[tuple[float, str]] = []
    for part in header.split(","):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        language = tag.strip().lower().split("-", 1)[0]
        if language in LANGUAGES:
            choices.append((quality, language))
    return max(choices)[1] if choices else None


def choose_language(request: Request) -> tuple[str, bool]:
    """(language, whether to remember it in the cookie)."""
    asked = request.query_params.get("lang")
    if asked is not None and asked in LANGUAGES:
        return asked, asked != request.cookies.get(COOKIE)
    remembered = request.cookies.get(COOKIE)
    if remembered is not None and remembered in LANGUAGES:
        return remembered, False
    return _from_accept_language(request.headers.get("accept-language", "")) or DEFAULT, False


class LanguageMiddleware:
    """Sets the request's language for templates, and remembers an explicit choice."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        language, remember = choose_language(Request(scope))
        token = _current.set(language)

        async def send_with_cookie(message: Message) -> None:
            if remember and message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.append(
                    "set-cookie",
                    f"{COOKIE}={language}; Path=/; Max-Age={COOKIE_MAX_AGE}; SameSite=Lax",
                )
            await send(message)

        try:
            await self.app(scope, receive, send_with_cookie)
        finally:
            _current.reset(token)


def plural_forms(message: Callable[[int], str], **values: object) -> dict[str, str]:
    """``message(n)`` (an ngettext) for every plural category of the page's language
    (CLDR's names: one, few, many, other), with the count left as ``{num}``: a script
    that recounts picks one with ``Intl.PluralRules`` and fills it in."""
    locale = _locale()
    samples: dict[str, int] = {}
    for n in range(200):
        samples.setdefault(locale.plural_form(n), n)
    return {category: message(n) % {**values, "num": "{num}"} for category, n in samples.items()}


def listing(items: list[str]) -> str:
    """“A”, “B” and “C” (“A”, “B” i “C”): a list as a sentence says it."""
    return format_list(items, locale=_locale()) if items else ""


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th (1., 2., 3. in Polish), chosen by the language's ordinal rule."""
    forms = {
        "one": gettext("%(num)sst"),
        "two": gettext("%(num)snd"),
        "few": gettext("%(num)srd"),
        "other": gettext("%(num)sth"),
    }
    return forms[_locale().ordinal_form(n)] % {"num": n}


def template_globals() -> dict[str, Any]:
    return {
        "languages": LANGUAGES,
        "current_language": current_language,
        "when": when,
        "day": day,
        "ordinal": ordinal,
    }


# Dates and times on pages are what the clock on the community centre wall says.
LOCAL_TIME = ZoneInfo("Europe/London")


def local_time(moment: datetime | None) -> datetime | None:
    return moment.astimezone(LOCAL_TIME) if moment is not None else None


def when(moment: datetime | None) -> str:
    """A moment as people in the room would say it, in the page's language:
    17 March 2026, 18:30."""
    shown = local_time(moment)
    if shown is None:
        return ""
    return format_datetime(shown, "d MMMM y, HH:mm", locale=_locale())


def day(moment: datetime | None) -> str:
    """A day the same way in every page and language (the UK's order): 17 March 2026."""
    shown = local_time(moment)
    if shown is None:
        return ""
    return format_date(shown.date(), "d MMMM y", locale=_locale())


@contextlib.contextmanager
def speaking(language: str | None) -> Iterator[None]:
    """Words in ``language`` outside a page and its middleware (an email, a person's
    notifications, an error page); unknown or none: English."""
    token = _current.set(language if language is not None and language in LANGUAGES else DEFAULT)
    try:
        yield
    finally:
        _current.reset(token)
