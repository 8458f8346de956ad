"""The Jinja environment for pages: jinja2-fragments blocks, Indonesian filters, url helpers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from jinja2 import pass_context
from jinja2_fragments.fastapi import Jinja2Blocks

from perdes.accounts.permissions import ROLE_LABELS
from perdes.config import PROJECT_ROOT
from perdes.drafting.eligibility import KELURAHAN_REFUSAL
from perdes.web.glossary import GLOSSARY, audit_action, audit_entity, field_label, in_words

TEMPLATES_DIR = PROJECT_ROOT / "templates"
TIMEZONE = ZoneInfo("Asia/Jakarta")


def tanggal(value: date | datetime | None) -> str:
    """``27 November 2026``; an empty string for None."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, "d MMMM y", tzinfo=TIMEZONE, locale="id")
    return format_date(value, "d MMMM y", locale="id")


def waktu(value: datetime | None) -> str:
    """``27 November 2026 14.05`` in Western Indonesian Time."""
    if value is None:
        return ""
    return format_datetime(value, "d MMMM y HH.mm", tzinfo=TIMEZONE, locale="id")


def angka(value: int | float | None) -> str:
    """Indonesian digit grouping: 14.392."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.1f}".replace(",", "X").replace(".", ",").replace("X", ".")
    return f"{value:,}".replace(",", ".")


@pass_context
def path_for(context: Any, name: str, /, **params: Any) -> str:
    """A site-relative URL for a named route (templates never write literal paths)."""
    return str(context["request"].app.url_path_for(name, **{k: str(v) for k, v in params.items()}))


def make_templates() -> Jinja2Blocks:
    templates = Jinja2Blocks(directory=str(TEMPLATES_DIR))
    env = templates.env
    env.filters.update(
        tanggal=tanggal,
        waktu=waktu,
        angka=angka,
        in_words=in_words,
        audit_entity=audit_entity,
        audit_action=audit_action,
        field_label=field_label,
    )
    env.globals.update(
        app_name="Perdes PMI",
        path_for=path_for,
        query_string=query_string,
        role_labels=ROLE_LABELS,
        glossary=GLOSSARY,
        kelurahan_refusal=KELURAHAN_REFUSAL,  # the one eligibility message
    )
    env.trim_blocks = True
    env.lstrip_blocks = True
    return templates


def query_string(params: dict[str, Any], **changes: Any) -> str:
    """``params`` with ``changes`` applied, as a query string without empty values."""
    merged = {**params, **changes}
    return urlencode({k: v for k, v in merged.items() if v not in (None, "", 0)})
