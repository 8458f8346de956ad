"""Load and validate a template folder; report every problem with file, line and clause id."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml
from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from perdes.drafting.catalogue import Catalogue, check_catalogue, load_catalogue
from perdes.drafting.checks import compile_and_check
from perdes.drafting.clausefile import parse_clause_file
from perdes.drafting.errors import Problem, TemplateError, TemplateNotFound
from perdes.drafting.manifest import (
    MengingatSpec,
    MenimbangSpec,
    Template,
    TemplateInfo,
    metadata,
    parse_options,
    parse_variables,
)
from perdes.drafting.model import BENTUK, PERATURAN_DESA
from perdes.drafting.paths import templates_root
from perdes.drafting.source import (
    SrcBab,
    SrcCond,
    SrcPara,
    SrcText,
)
from perdes.drafting.yamlsrc import LineDict, LineList, line_of, load_yaml, yaml_error_line

MANIFEST = "manifest.yaml"
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# Names every clause text can use besides the template's variables and options.
CONTEXT_NAMES = frozenset(
    {
        "desa", "nama_desa", "kades", "bpd", "bpd_singkat", "pemdes", "kecamatan",
        "kabupaten", "provinsi", "bupati", "kode_desa", "jumlah_pmi_aktif",
        "jumlah_pmi_purna", "judul", "today", "ref", "angka", "terbilang", "tanggal", "bilangan",
        "perdes", "sekdes", "sebutan_kecamatan", "camat", "daerah", "bpd_disingkat",
    }
)  # fmt: skip


def make_env() -> SandboxedEnvironment:
    """The sandbox clause text runs in: no autoescape (renderers escape), strict names."""
    return SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


def _resolve(path_or_slug: str | Path, root: Path | None) -> Path:
    if isinstance(path_or_slug, str) and SLUG.match(path_or_slug):
        folder = (root or templates_root()) / path_or_slug
        if (folder / MANIFEST).is_file():
            return folder
    candidate = Path(path_or_slug)
    if (candidate / MANIFEST).is_file():
        return candidate
    raise TemplateNotFound(f"template not found: {path_or_slug}")


def list_templates(root: Path | None = None) -> list[TemplateInfo]:
    """Every template folder under the templates root (those with a readable manifest):
    Peraturan Desa templates first, then Peraturan and Keputusan Kepala Desa."""
    base = root or templates_root()
    out: list[TemplateInfo] = []
    for folder in sorted(p for p in base.iterdir() if (p / MANIFEST).is_file()):
        try:
            raw = load_yaml(folder / MANIFEST)
        except (OSError, yaml.YAMLError):
            continue
        if isinstance(raw, LineDict):
            out.append(metadata(raw, MANIFEST, folder)[0])
    # Peraturan Desa first (what a village makes first), then the instruments implementing it.
    order = {b: i for i, b in enumerate(BENTUK)}
    return sorted(out, key=lambda t: (order.get(t.bentuk, len(order)), t.slug))


def load_template(
    path_or_slug: str | Path, *, root: Path | None = None, catalogue_path: Path | None = None
) -> Template:
    """Load a template by slug (under the templates root) or folder path.

    Raises ``TemplateNotFound`` or ``TemplateError`` (which lists every problem).
    """
    folder = _resolve(path_or_slug, root).resolve()
    cat_path = (catalogue_path or folder.parent / "citations.yaml").resolve()
    stamp = tuple((str(p), p.stat().st_mtime_ns) for p in sorted(folder.rglob("*")) if p.is_file())
    cat_stamp = cat_path.stat().st_mtime_ns if cat_path.exists() else 0
    return _load_cached(folder, cat_path, stamp, cat_stamp)


@lru_cache(maxsize=16)
def _load_cached(
    folder: Path, cat_path: Path, stamp: tuple[tuple[str, int], ...], cat_stamp: int
) -> Template:
    template, problems = _load(folder, cat_path)
    if problems or template is None:
        raise TemplateError(problems)
    return template


def check_template(
    path_or_slug: str | Path, *, catalogue_path: Path | None = None
) -> list[Problem]:
    """Every problem of a template (an empty list when it is sound)."""
    try:
        folder = _resolve(path_or_slug, None).resolve()
    except TemplateNotFound as exc:
        return [Problem(str(path_or_slug), None, None, str(exc))]
    cat_path = (catalogue_path or folder.parent / "citations.yaml").resolve()
    return _load(folder, cat_path)[1]


def _load(folder: Path, cat_path: Path) -> tuple[Template | None, list[Problem]]:
    problems: list[Problem] = []
    try:
        raw = load_yaml(folder / MANIFEST)
    except OSError as exc:
        return None, [Problem(MANIFEST, None, None, f"cannot read manifest: {exc}")]
    except yaml.YAMLError as exc:
        return None, [Problem(MANIFEST, yaml_error_line(exc), None, f"invalid YAML: {exc}")]
    if not isinstance(raw, LineDict):
        return None, [Problem(MANIFEST, 1, None, "manifest must be a mapping")]
    info, found = metadata(raw, MANIFEST, folder)
    problems += found
    variables, found = parse_variables(raw.get("variables"), MANIFEST)
    problems += found
    options, found = parse_options(raw.get("options"), MANIFEST)
    problems += found
    for name in set(variables) & set(options):
        problems.append(
            Problem(MANIFEST, line_of(raw, "options"), name, "used as variable and option")
        )
    for name in (set(variables) | set(options)) & CONTEXT_NAMES:
        problems.append(Problem(MANIFEST, None, name, f"{name!r} is a reserved name"))
    catalogue_problems = check_catalogue(cat_path)
    problems += catalogue_problems
    catalogue = Catalogue([]) if catalogue_problems else load_catalogue(cat_path)

    menimbang: list[MenimbangSpec] = []
    raw_men = raw.get("menimbang") or LineList()
    for i, entry in enumerate(raw_men):
        line = raw_men.item_lines[i] if isinstance(raw_men, LineList) else None
        text, cond = (
            (entry.get("text"), entry.get("if")) if isinstance(entry, dict) else (entry, None)
        )
        if not isinstance(text, str) or not text.strip():
            problems.append(Problem(MANIFEST, line, "menimbang", "menimbang item needs text"))
            continue
        c = SrcCond(str(cond), MANIFEST, line or 0) if cond is not None else None
        menimbang.append(MenimbangSpec(SrcText(" ".join(text.split()), MANIFEST, line or 0), c))
    if not menimbang:
        problems.append(Problem(MANIFEST, raw.line, "menimbang", "at least one menimbang item"))

    mengingat: list[MengingatSpec] = []
    raw_ming = raw.get("mengingat") or LineList()
    for i, entry in enumerate(raw_ming):
        line = raw_ming.item_lines[i] if isinstance(raw_ming, LineList) else None
        key, cond = (
            (entry.get("key"), entry.get("if")) if isinstance(entry, dict) else (entry, None)
        )
        local = entry.get("text") if isinstance(entry, dict) else None
        if isinstance(local, str) and local.strip() and key is None:
            c = SrcCond(str(cond), MANIFEST, line or 0) if cond is not None else None
            src = SrcText(" ".join(local.split()), MANIFEST, line or 0)
            mengingat.append(MengingatSpec("", c, line, src))
            continue
        if not catalogue_problems and key not in catalogue:
            problems.append(Problem(MANIFEST, line, "mengingat", f"unknown citation key {key!r}"))
            continue
        c = SrcCond(str(cond), MANIFEST, line or 0) if cond is not None else None
        mengingat.append(MengingatSpec(str(key), c, line))

    babs: list[SrcBab] = []
    files = raw.get("clauses")
    if not isinstance(files, list) or not files:
        problems.append(Problem(MANIFEST, raw.line, None, "'clauses' must list clause files"))
        files = []
    for i, rel in enumerate(files):
        path = folder / str(rel)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            line = files.item_lines[i] if isinstance(files, LineList) else None
            problems.append(Problem(MANIFEST, line, None, f"cannot read clause file {rel}: {exc}"))
            continue
        parsed, found = parse_clause_file(text, str(rel))
        babs += parsed
        problems += found

    penjelasan: list[SrcPara] = []
    pj = raw.get("penjelasan_umum")
    if pj:
        try:
            lines = (folder / str(pj)).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(MANIFEST, line_of(raw, "penjelasan_umum"), None, str(exc)))
            lines = []
        for n, line_text in enumerate(lines, start=1):
            s = line_text.strip()
            if not s or s.startswith("#"):
                continue
            cond = None
            if s.startswith("[if:") and "]" in s:
                cond = SrcCond(s[4 : s.index("]")].strip(), str(pj), n)
                s = s[s.index("]") + 1 :].strip()
            penjelasan.append(SrcPara(SrcText(s, str(pj), n), cond))

    derived: list[tuple[str, SrcCond]] = []
    raw_derived = raw.get("derived") or {}
    if not isinstance(raw_derived, dict):
        problems.append(
            Problem(MANIFEST, line_of(raw, "derived"), None, "derived must be a mapping")
        )
        raw_derived = {}
    for name, expr in raw_derived.items():
        line = line_of(raw_derived, name) or 0
        if name in variables or name in options or name in CONTEXT_NAMES:
            problems.append(Problem(MANIFEST, line, f"derived:{name}", "name already in use"))
        derived.append((str(name), SrcCond(str(expr), MANIFEST, line)))

    bentuk = str(raw.get("bentuk", PERATURAN_DESA))
    if bentuk not in BENTUK:
        problems.append(
            Problem(
                MANIFEST, line_of(raw, "bentuk"), None, f"bentuk must be one of {', '.join(BENTUK)}"
            )
        )
    naskah_requires = [str(n) for n in (raw.get("naskah_requires") or [])]
    for name in naskah_requires:
        if name not in variables:
            problems.append(
                Problem(MANIFEST, line_of(raw, "naskah_requires"), name, "not a declared variable")
            )
    env = make_env()
    template = Template(
        bentuk=bentuk,
        naskah_requires=naskah_requires,
        info=info,
        judul=" ".join(str(raw.get("judul", info.title)).split()),
        variables=variables,
        options=options,
        menimbang=menimbang,
        mengingat=mengingat,
        babs=babs,
        penjelasan_umum=penjelasan,
        catalogue=catalogue,
        env=env,
        derived=derived,
    )
    problems += compile_and_check(template, CONTEXT_NAMES)
    return template, problems
