"""The Jinja environment shared by every page: autoescaping, i18n, assets."""

from __future__ import annotations

from pathlib import Path

import jinja2
from starlette.templating import Jinja2Templates

from web import i18n

WEB_ROOT = Path(__file__).resolve().parent

environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(WEB_ROOT / "templates"),
    autoescape=jinja2.select_autoescape(default=True),
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.install_gettext_callables(  # type: ignore[attr-defined]
    i18n.gettext, i18n.ngettext, newstyle=True
)
environment.globals.update(i18n.template_globals())

templates = Jinja2Templates(env=environment)
