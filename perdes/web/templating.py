"""The Jinja environment for pages: jinja2-fragments blocks, Indonesian filters, url helpers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

from babel.dates import get_month_names
from jinja2 import pass_context
from jinja2_fragments.fastapi import Jinja2Blocks
from markupsafe import Markup, escape

from perdes.accounts.permissions import ROLE_LABELS
from perdes.checklist import instrument
from perdes.config import PROJECT_ROOT
from perdes.monitoring.figures import FIGURE_HEADER, Figures, figure_cells
from perdes.regions.eligibility import KELURAHAN_REFUSAL
from perdes.web.glossary import GLOSSARY, audit_action, audit_entity, field_label, in_words

TEMPLATES_DIR = PROJECT_ROOT / "templates"
TIMEZONE = ZoneInfo("Asia/Jakarta")


# CLDR's Indonesian month names, read once: formatting a date is then plain string work
# (Babel's pattern formatting was 4-5 % of a page's CPU). Same output as Babel's
# "d MMMM y" and "d MMMM y HH.mm" patterns; a test compares them.
MONTHS: dict[int, str] = dict(get_month_names("wide", locale="id"))


def _local(value: datetime) -> datetime:
    if value.tzinfo is None:  # Babel reads a naive datetime as UTC
        value = value.replace(tzinfo=UTC)
    return value.astimezone(TIMEZONE)


def tanggal(value: date | datetime | None) -> str:
    """``27 November 2026``; an empty string for None."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _local(value)
    return f"{value.day} {MONTHS[value.month]} {value.year}"


def waktu(value: datetime | None) -> str:
    """``27 November 2026 14.05`` in Western Indonesian Time."""
    if value is None:
        return ""
    local = _local(value)
    return f"{local.day} {MONTHS[local.month]} {local.year} {local.hour:02d}.{local.minute:02d}"


def ukuran(size_bytes: int) -> str:
    """A file size as a village secretary reads it: 812 B, 14 KB, 2,4 MB (never "0 KB")."""
    if size_bytes < 1024:
        return f"{size_bytes} B"
    if size_bytes < 1024 * 1024:
        return f"{angka(round(size_bytes / 1024))} KB"
    return f"{angka(size_bytes / (1024 * 1024))} MB"


def angka(value: int | float | None) -> str:
    """Indonesian digit grouping: 14.392."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.1f}".replace(",", "X").replace(".", ",").replace("X", ".")
    return f"{value:,}".replace(",", ".")


# The region table's columns (``FIGURE_HEADER``) kept on a narrow screen, and its percent column.
FIGURE_ESSENTIAL = (1, 6, 7, 8, 11)
FIGURE_PERCENT = 7
_FIGURE_CLASSES = tuple(
    "num" if index in FIGURE_ESSENTIAL else "num opt" for index in range(len(FIGURE_HEADER))
)


def _number(value: int | float | None) -> str:
    """``angka``, with a quick way for the common case (an int)."""
    if type(value) is int:
        return f"{value:,}".replace(",", ".")
    return angka(value)


def figure_numbers(figures: Figures) -> Markup:
    """A region table row's number cells (``FIGURE_HEADER`` from the third column on), as HTML:
    one call per row rather than a template loop per cell (the national table: 38 rows of 10).
    ``angka``'s text (digits, ".", ",", "–") and " %" need no escaping."""
    cells = figure_cells(figures)
    share = cells[FIGURE_PERCENT]
    percent = angka(share) + (" %" if share is not None else "")
    return Markup(
        "".join(
            [
                *(_CELL[index] + _number(cells[index]) + "</td>" for index in _BEFORE_PERCENT),
                _CELL[FIGURE_PERCENT] + percent + "</td>",
                *(_CELL[index] + _number(cells[index]) + "</td>" for index in _AFTER_PERCENT),
            ]
        )
    )


def figure_rows(children: Sequence[Figures], href: str) -> Markup:
    """The region table's body rows, one per child region: its code, its name linked to
    ``href`` + code (``path_prefix``), its number cells. One call per table: a template loop
    of four outputs a row was a fifth of the national dashboard's rendering."""
    base = escape(href)
    rows = []
    for figures in children:
        code = escape(figures.code)
        rows.append(
            f'<tr data-code="{code}">\n      <td class="opt">{code}</td>\n'
            f'      <td><a href="{base}{code}">{escape(figures.name)}</a></td>\n'
            f"      {figure_numbers(figures)}\n    </tr>"
        )
    return Markup("\n    ".join(rows))


_CELL = tuple(f'<td class="{css}">' for css in _FIGURE_CLASSES)
_BEFORE_PERCENT = range(2, FIGURE_PERCENT)
_AFTER_PERCENT = range(FIGURE_PERCENT + 1, len(FIGURE_HEADER))


URL_CACHE_SIZE = 50_000


@pass_context
def path_for(context: Any, name: str, /, **params: Any) -> str:
    """A site-relative URL for a named route (templates never write literal paths).

    ``static`` files get content-hashed names (see perdes.web.assets). Other URLs are
    memoized per app: Starlette finds a route by name by trying every route in turn.
    """
    app = context["request"].app
    if name == "static":
        return str(app.state.static.url(params["path"]))
    return url_path(app, name, params)


def bound_path_for(app: Any) -> Callable[..., str]:
    """``path_for`` for the templates of one app (``create_app`` installs it): a plain function,
    which Jinja calls as it is. Jinja calls a ``pass_context`` function from inside a loop with a
    copy of the context holding the loop's variables: one copy per row of a 50-row list
    (measured: a tenth of the monitoring list's CPU)."""

    def path_for(name: str, /, **params: Any) -> str:
        if name == "static":
            return str(app.state.static.url(params["path"]))
        return url_path(app, name, params)

    return path_for


# Stands for the last parameter of a route in ``path_prefix`` (no route has it in a literal part).
_MARK = "~param~"


@pass_context
def path_prefix(context: Any, name: str, param: str, /) -> str:
    """The URL of a named route up to its last parameter ``param``, for a table of links that
    differ only there (one URL built per table, not per row): ``path_prefix(name, param) ~ v``
    equals ``path_for(name, param=v)``, which inserts a path parameter as it is."""
    app = context["request"].app
    cache: dict[tuple[str, str], str] | None = getattr(app.state, "url_prefixes", None)
    if cache is None:
        cache = app.state.url_prefixes = {}
    prefix = cache.get((name, param))
    if prefix is None:
        url = str(app.url_path_for(name, **{param: _MARK}))
        if not url.endswith(_MARK) or url.count(_MARK) != 1:
            raise ValueError(f"route {name!r} does not end with its parameter {param!r}")
        prefix = cache[name, param] = url.removesuffix(_MARK)
    return prefix


# Stands for the village code in the HTML of an untouched checklist item (a control character:
# no framework text or URL holds one).
_VILLAGE_MARK = "\x1fkode\x1f"
UNTOUCHED_CACHE_SIZE = 4096


@pass_context
def checklist_items(
    context: Any,
    macro: Callable[..., str],
    items: Sequence[Any],
    view: Any,
    code: str,
    /,
    *,
    can_evidence: bool,
    can_answer: bool,
    can_verify: bool,
    urls: tuple[str, str, str],
) -> Markup:
    """The village page's items of one pillar, each rendered by ``macro`` (``item_article`` of
    checklist/_item_article.html) exactly as the template would.

    An item nobody has touched (no answer, evidence or history), other than the outcome item
    (whose text names the regency's threshold), renders the same in every village but for the
    village code in its links. Its HTML is rendered once per app, framework version, item and
    the reader's rights, with a mark where the code goes, and reused with the code put in: while
    a village starts most of its items are untouched, and rendering them was a quarter of the
    village page's CPU. Not in debug, where templates change while the app runs."""
    cache: dict[tuple[object, ...], str] | None = None
    if not context.environment.auto_reload:
        state = context["request"].app.state
        cache = getattr(state, "untouched_items", None)
        if cache is None:
            cache = state.untouched_items = {}
    rights = {"can_evidence": can_evidence, "can_answer": can_answer, "can_verify": can_verify}
    marked: tuple[str, ...] | None = None
    out = []
    for it in items:
        untouched = not (it.answer or it.evidence or it.history or it.item.extras.outcome)
        if cache is None or not untouched:
            out.append(str(macro(it, view, code, lazy=True, urls=urls, **rights)))
            continue
        row = view.row
        key = (row.slug, row.version, row.content_sha256, it.item.id, can_evidence, can_answer)
        html = cache.get(key)
        if html is None:
            if marked is None:
                marked = tuple(u.replace(f"/{code}/", f"/{_VILLAGE_MARK}/", 1) for u in urls)
            html = str(macro(it, view, _VILLAGE_MARK, lazy=True, urls=marked, **rights))
            if len(cache) >= UNTOUCHED_CACHE_SIZE:
                cache.clear()
            cache[key] = html
        out.append(html.replace(_VILLAGE_MARK, code))
    return Markup("".join(out))


def url_path(app: Any, name: str, params: dict[str, Any]) -> str:
    strings = {k: str(v) for k, v in params.items()}
    key = (name, *strings.items())
    cache: dict[tuple[object, ...], str] | None = getattr(app.state, "url_paths", None)
    if cache is None:
        cache = app.state.url_paths = {}
    url = cache.get(key)
    if url is None:
        url = str(app.url_path_for(name, **strings))
        if len(cache) >= URL_CACHE_SIZE:
            cache.clear()
        cache[key] = url
    return url


def make_templates(*, auto_reload: bool = True) -> Jinja2Blocks:
    """The page templates. Without ``auto_reload`` (production) a template is compiled once
    and never checked again; with it, every use stats the file (one per ``include``)."""
    templates = Jinja2Blocks(directory=str(TEMPLATES_DIR))
    env = templates.env
    env.auto_reload = auto_reload
    env.filters.update(
        tanggal=tanggal,
        waktu=waktu,
        angka=angka,
        ukuran=ukuran,
        in_words=in_words,
        audit_entity=audit_entity,
        audit_action=audit_action,
        field_label=field_label,
        figure_numbers=figure_numbers,
        figure_rows=figure_rows,
    )
    env.globals.update(
        app_name="Perdes PMI",
        path_for=path_for,
        path_prefix=path_prefix,
        checklist_items=checklist_items,
        query_string=query_string,
        other_host=other_host,
        role_labels=ROLE_LABELS,
        glossary=GLOSSARY,
        kelurahan_refusal=KELURAHAN_REFUSAL,  # the one eligibility message
        figure_essential=FIGURE_ESSENTIAL,
    )
    env.globals.update(  # the checklist instrument's fixed vocabularies (instrument.py)
        pasal_42=instrument.PASAL_42,
        evidence_rules=instrument.EVIDENCE_RULES,
        dme_pillars=instrument.DME_PILLARS,
        dme_label=instrument.DME_LABEL,
    )
    env.trim_blocks = True
    env.lstrip_blocks = True
    return templates


@pass_context
def other_host(context: Any, url: str) -> str:
    """The host of ``url`` (a link the app made from PERDES_BASE_URL, e.g. an invitation)
    when it is not the host this page was opened at, else "": such a link may not open for
    its reader (the default ``127.0.0.1:8000`` on a server reached by another address)."""
    host = urlsplit(url).netloc
    here = context["request"].url.netloc
    return host if host and host.lower() != here.lower() else ""


def query_string(params: dict[str, Any], **changes: Any) -> str:
    """``params`` with ``changes`` applied, as a query string without empty values."""
    merged = {**params, **changes}
    return urlencode({k: v for k, v in merged.items() if v not in (None, "", 0)})
