"""Messages rendered from ``templates/mail/``: a plain-text and an HTML part, Indonesian.

Each message NAME has ``NAME.txt`` (blocks ``subject`` and ``body``) and ``NAME.html`` (which
extends ``_layout.html``). The environment is the mail package's own: the page templates'
environment belongs to the web layer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from perdes.config import PROJECT_ROOT

MAIL_TEMPLATES = PROJECT_ROOT / "templates" / "mail"
TIMEZONE = ZoneInfo("Asia/Jakarta")


@dataclass(frozen=True, slots=True)
class RenderedMail:
    subject: str
    text: str
    html: str


def tanggal(value: date | datetime | None, tz: str = "Asia/Jakarta") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, "d MMMM y", tzinfo=ZoneInfo(tz), locale="id")
    return format_date(value, "d MMMM y", locale="id")


@lru_cache(maxsize=1024)
def waktu(value: datetime | None) -> str:
    if value is None:
        return ""
    return format_datetime(value, "d MMMM y HH.mm", tzinfo=TIMEZONE, locale="id") + " WIB"


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(MAIL_TEMPLATES)),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(tanggal=tanggal, waktu=waktu)
    env.globals.update(app_name="Perdes PMI")
    return env


def render_mail(name: str, context: Mapping[str, Any]) -> RenderedMail:
    """Render message ``name``; a missing variable is an error, never an empty gap."""
    env = environment()
    text_template = env.get_template(f"{name}.txt")
    ctx = text_template.new_context(dict(context))
    subject = "".join(text_template.blocks["subject"](ctx))
    body = "".join(text_template.blocks["body"](ctx))
    html = env.get_template(f"{name}.html").render(dict(context))
    subject = re.sub(r"\s+", " ", subject).strip()
    return RenderedMail(subject=subject[:200], text=body.strip() + "\n", html=html)


def template_names() -> list[str]:
    return sorted(p.stem for p in MAIL_TEMPLATES.glob("*.txt") if not p.name.startswith("_"))
