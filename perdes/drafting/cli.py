"""``perdes draft``: list and check templates, render a Perdes for a village.

Each command imports what it uses when it runs (the template loader, the assembler, one
renderer, the database), so ``perdes draft render --help`` imports none of them and a render
to text loads no python-docx.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from perdes.drafting.errors import Problem
    from perdes.drafting.model import Document, VillageContext

app = typer.Typer(help="Draft Peraturan Desa from templates.", no_args_is_help=True)


def sample_village() -> VillageContext:
    """The made-up village ``check-template`` assembles a template for."""
    from perdes.drafting.model import VillageContext

    return VillageContext(
        desa_name="Contoh",
        kecamatan_name="Contoh",
        kabupaten_name="Kabupaten Contoh",
        provinsi_name="Contoh",
        village_code="00.00.00.2000",
        kepala_desa_name="Nama Kepala Desa",
        sekretaris_desa_name="Nama Sekretaris Desa",
        active_pmi_count=1,
        returned_pmi_count=1,
    )


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {' '.join(message.split())}", err=True)
    return typer.Exit(code=1)


@app.command("templates")
def templates_command() -> None:
    """List the available templates."""
    from perdes.drafting.loader import list_templates

    for info in list_templates():
        typer.echo(f"{info.slug}\t{info.version}\t{info.title}")


def dry_run_problems(path: str) -> list[Problem]:
    """Assemble a sound template with defaults, all options on, all off, each bool option
    flipped and each choice value, to catch references to clauses an option excludes."""
    from perdes.clock import local_today
    from perdes.drafting.assembler import assemble
    from perdes.drafting.errors import DraftInputError, Problem, TemplateError
    from perdes.drafting.loader import load_template

    template = load_template(path)
    bools = [n for n, o in template.options.items() if o.type == "bool"]
    trials: list[dict[str, bool | str]] = [
        {},
        dict.fromkeys(bools, True),
        dict.fromkeys(bools, False),
    ]
    for name, spec in template.options.items():
        if spec.type == "bool":
            trials.append({name: not spec.default})
        else:
            trials.extend({name: choice} for choice in spec.choices)
    problems: list[Problem] = []
    seen: set[str] = set()
    for trial in trials:
        try:
            assemble(
                template, village=sample_village(), values={}, options=trial, today=local_today()
            )
        except DraftInputError as exc:
            if set(exc.errors) <= set(template.options):  # dependency of a forced option
                continue
            found = [Problem("manifest.yaml", None, None, f"with options {trial}: {exc}")]
        except TemplateError as exc:
            found = list(exc.problems)
        else:
            continue
        problems.extend(p for p in found if str(p) not in seen)
        seen.update(str(p) for p in found)
    return problems


@app.command("check-template")
def check_template_command(
    path: Annotated[str, typer.Argument(help="Template folder or slug")],
) -> None:
    """Validate a template; print every problem with file, line and clause id."""
    from perdes.drafting.loader import check_template

    problems = check_template(path)
    if not problems:
        problems = dry_run_problems(path)
    for problem in problems:
        typer.echo(str(problem), err=True)
    if problems:
        raise typer.Exit(code=1)
    typer.echo("OK")


def _pairs(raw: list[str], what: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for entry in raw:
        name, sep, value = entry.partition("=")
        if not sep or not name.strip():
            raise _fail(f"{what} must look like name=value: {entry!r}")
        out[name.strip()] = value
    return out


def _write_atomically(path: Path, data: bytes) -> None:
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _html_page(doc: Document, kind: str) -> str:
    from perdes.drafting.render_html import render_html

    title = doc.title.replace("&", "&amp;").replace("<", "&lt;")
    return (
        f'<!doctype html>\n<html lang="id"><head><meta charset="utf-8"><title>{title}</title>'
        f"</head><body>\n{render_html(doc, kind=kind)}\n</body></html>\n"
    )


@app.command("render")
def render_command(
    template: Annotated[str, typer.Option("--template", help="Template slug or folder")],
    village: Annotated[str, typer.Option("--village", help="Kemendagri village code")],
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write")],
    fmt: Annotated[
        str, typer.Option("--format", help="docx, html, txt or akn (Akoma Ntoso 3.0 XML)")
    ] = "docx",
    values: Annotated[list[str] | None, typer.Option("--set", help="name=value")] = None,
    options: Annotated[
        list[str] | None, typer.Option("--option", help="name=on|off|choice")
    ] = None,
    paper: Annotated[str, typer.Option("--paper", help="F4 or A4 (DOCX)")] = "F4",
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            help="rancangan (markers allowed, headed RANCANGAN) or naskah (untuk "
            "ditandatangani: refused while anything is unverified or blank)",
        ),
    ] = "rancangan",
) -> None:
    """Render a Perdes (or Perkades, Kepdes) for a village to DOCX, HTML, text or AKN."""
    from perdes.drafting.assembler import assemble
    from perdes.drafting.errors import DraftingError, DraftInputError
    from perdes.drafting.loader import load_template
    from perdes.drafting.signing import KINDS, NotSignable
    from perdes.drafting.village import load_village_context
    from perdes.regions.eligibility import PerdesNotAllowed

    if fmt not in ("docx", "html", "txt", "akn"):
        raise _fail(f"unknown format {fmt!r} (docx, html, txt or akn)")
    if paper not in ("F4", "A4"):
        raise _fail(f"unknown paper {paper!r} (F4 or A4)")
    if kind not in KINDS:
        raise _fail(f"unknown kind {kind!r} (rancangan or naskah)")
    if output.is_dir():
        raise _fail(f"{output} is a directory")
    if not output.parent.exists():
        raise _fail(f"directory {output.parent} does not exist")
    value_map = _pairs(values or [], "--set")
    option_map: dict[str, bool | str] = dict(_pairs(options or [], "--option"))
    try:
        context = load_village_context(village)
        tpl = load_template(template)
        doc = assemble(tpl, village=context, values=value_map, options=option_map)
    except DraftInputError as exc:
        detail = "; ".join(f"{k}: {v}" for k, v in exc.errors.items())
        raise _fail(f"invalid input: {detail}") from exc
    except PerdesNotAllowed as exc:
        raise _fail(exc.english) from exc
    except (LookupError, DraftingError) as exc:
        raise _fail(str(exc)) from exc
    try:
        if fmt == "docx":
            from perdes.drafting.render_docx import render_docx

            data = render_docx(doc, paper="A4" if paper == "A4" else "F4", kind=kind)
        elif fmt == "html":
            data = _html_page(doc, kind).encode("utf-8")
        elif fmt == "akn":
            from perdes.drafting.render_akn import render_akn

            data = render_akn(doc, kind=kind)
        else:
            from perdes.drafting.render_text import render_text

            data = render_text(doc, kind=kind).encode("utf-8")
    except NotSignable as exc:
        typer.echo("error: not ready to sign; complete first:", err=True)
        for message in exc.errors.values():
            typer.echo(f"  - {message}", err=True)
        raise typer.Exit(code=1) from exc
    _write_atomically(output, data)
    typer.echo(f"wrote {output}")
