"""The template manifest: metadata, declared variables and options (data, not code)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2.sandbox import SandboxedEnvironment

from perdes.drafting.catalogue import Catalogue
from perdes.drafting.errors import Problem
from perdes.drafting.source import SrcBab, SrcCond, SrcPara, SrcText
from perdes.drafting.yamlsrc import LineDict, line_of

VARIABLE_TYPES = ("text", "int", "date", "year", "choice", "bool", "citations")
OPTION_TYPES = ("bool", "choice")
# Where a default may come from: the village profile or today's date.
DEFAULT_SOURCES = (
    "village.desa_name",
    "village.kepala_desa_name",
    "village.sekretaris_desa_name",
    "village.ketua_bpd_name",
    "village.kecamatan_name",
    "village.kabupaten_name",
    "today",
    "today.year",
)


@dataclass
class VariableSpec:
    """A value the user fills in (or accepts the default of)."""

    name: str
    type: str
    label: str
    help: str = ""
    required: bool = True
    default: Any = None
    default_from: str | None = None
    max_length: int = 200
    min: int | None = None
    max: int | None = None
    choices: dict[str, str] = field(default_factory=dict)
    multiline: bool = False
    line: int | None = None


@dataclass
class OptionSpec:
    """A switch that includes/excludes clauses or picks an alternative wording."""

    name: str
    type: str
    label: str
    help: str = ""
    default: bool | str = True
    choices: dict[str, str] = field(default_factory=dict)
    requires: list[tuple[str, bool | str]] = field(default_factory=list)
    line: int | None = None


@dataclass
class MengingatSpec:
    key: str
    cond: SrcCond | None
    line: int | None
    # A village instrument (e.g. the Perdes a Perkades implements) is not in the national
    # catalogue: written as text, it follows the catalogue entries (lowest level of law).
    text: SrcText | None = None


@dataclass
class MenimbangSpec:
    text: SrcText
    cond: SrcCond | None


@dataclass
class TemplateInfo:
    """What a list of templates shows."""

    slug: str
    title: str
    version: str
    description: str
    path: Path
    bentuk: str = "peraturan-desa"  # see perdes.drafting.model.BENTUK


@dataclass
class Template:
    """A loaded, validated template, ready for the assembler."""

    info: TemplateInfo
    judul: str  # regulation subject, e.g. "Pelindungan Pekerja Migran Indonesia"
    variables: dict[str, VariableSpec]
    options: dict[str, OptionSpec]
    menimbang: list[MenimbangSpec]
    mengingat: list[MengingatSpec]
    babs: list[SrcBab]
    penjelasan_umum: list[SrcPara]
    catalogue: Catalogue
    env: SandboxedEnvironment
    derived: list[tuple[str, SrcCond]] = field(default_factory=list)
    bentuk: str = "peraturan-desa"  # see perdes.drafting.model.BENTUK
    # Variables besides the numbers, dates and officials' names that a naskah untuk
    # ditandatangani needs (e.g. the members a Keputusan appoints).
    naskah_requires: list[str] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return self.info.slug

    @property
    def version(self) -> str:
        return self.info.version


def _choices(raw: object) -> dict[str, str]:
    if isinstance(raw, dict):
        return {str(k): str(v) for k, v in raw.items()}
    if isinstance(raw, list):
        return {str(v): str(v) for v in raw}
    return {}


def parse_variables(raw: object, file: str) -> tuple[dict[str, VariableSpec], list[Problem]]:
    problems: list[Problem] = []
    out: dict[str, VariableSpec] = {}
    if raw is None:
        return out, problems
    if not isinstance(raw, dict):
        return out, [Problem(file, line_of(raw), None, "variables must be a mapping")]
    for name, spec in raw.items():
        line = line_of(raw, name)

        def bad(msg: str, name: str = name, line: int | None = line) -> None:
            problems.append(Problem(file, line, f"variable:{name}", msg))

        if not isinstance(spec, dict):
            bad("variable must be a mapping")
            continue
        vtype = spec.get("type", "text")
        if vtype not in VARIABLE_TYPES:
            bad(f"unknown type {vtype!r} (expected one of {', '.join(VARIABLE_TYPES)})")
            continue
        if not spec.get("label"):
            bad("label (Indonesian) is required")
        unknown = set(spec) - {
            "type", "label", "help", "required", "default", "default_from", "max_length",
            "min", "max", "choices", "multiline",
        }  # fmt: skip
        if unknown:
            bad(f"unknown keys: {', '.join(sorted(unknown))}")
        default_from = spec.get("default_from")
        if default_from is not None and default_from not in DEFAULT_SOURCES:
            bad(f"default_from must be one of {', '.join(DEFAULT_SOURCES)}")
        choices = _choices(spec.get("choices"))
        if vtype == "choice" and not choices:
            bad("a choice variable needs choices")
        for key in ("min", "max", "max_length"):
            if key in spec and not isinstance(spec[key], int):
                bad(f"{key} must be an integer")
        out[name] = VariableSpec(
            name=name,
            type=vtype,
            label=str(spec.get("label", name)),
            help=str(spec.get("help", "")),
            required=spec.get("required", True) is not False,
            default=spec.get("default"),
            default_from=default_from,
            max_length=int(spec.get("max_length", 2000 if spec.get("multiline") else 200)),
            min=spec.get("min") if isinstance(spec.get("min"), int) else None,
            max=spec.get("max") if isinstance(spec.get("max"), int) else None,
            choices=choices,
            multiline=spec.get("multiline") is True,
            line=line,
        )
    return out, problems


def parse_options(raw: object, file: str) -> tuple[dict[str, OptionSpec], list[Problem]]:
    problems: list[Problem] = []
    out: dict[str, OptionSpec] = {}
    if raw is None:
        return out, problems
    if not isinstance(raw, dict):
        return out, [Problem(file, line_of(raw), None, "options must be a mapping")]
    for name, spec in raw.items():
        line = line_of(raw, name)

        def bad(msg: str, name: str = name, line: int | None = line) -> None:
            problems.append(Problem(file, line, f"option:{name}", msg))

        if not isinstance(spec, dict):
            bad("option must be a mapping")
            continue
        otype = spec.get("type", "bool")
        if otype not in OPTION_TYPES:
            bad(f"unknown option type {otype!r} (expected bool or choice)")
            continue
        if not spec.get("label"):
            bad("label (Indonesian) is required")
        choices = _choices(spec.get("choices"))
        default = spec.get("default", True if otype == "bool" else next(iter(choices), ""))
        if otype == "bool" and not isinstance(default, bool):
            bad("default of a bool option must be true or false")
            default = bool(default)
        if otype == "choice" and str(default) not in choices:
            bad(f"default {default!r} is not one of the choices")
        requires: list[tuple[str, bool | str]] = []
        req_raw = spec.get("requires") or []
        for req in req_raw if isinstance(req_raw, list) else [req_raw]:
            other, _, wanted = str(req).partition("=")
            requires.append((other.strip(), wanted.strip() if wanted else True))
        out[name] = OptionSpec(
            name=name,
            type=otype,
            label=str(spec.get("label", name)),
            help=str(spec.get("help", "")),
            default=default if isinstance(default, bool) else str(default),
            choices=choices,
            requires=requires,
            line=line,
        )
    for opt in out.values():
        for other, value in opt.requires:
            where = f"option:{opt.name}"
            if other not in out:
                problems.append(
                    Problem(file, opt.line, where, f"requires unknown option {other!r}")
                )
            elif other == opt.name:
                problems.append(Problem(file, opt.line, where, "an option cannot require itself"))
            elif out[other].type == "choice" and value not in out[other].choices:
                problems.append(
                    Problem(file, opt.line, where, f"requires {other}={value}: not a choice")
                )
            elif out[other].type == "bool" and value is not True:
                problems.append(
                    Problem(file, opt.line, where, f"requires {other}: write just the name")
                )
    problems.extend(_cycles(out, file))
    return out, problems


def _cycles(options: dict[str, OptionSpec], file: str) -> list[Problem]:
    problems: list[Problem] = []
    graph = {n: [o for o, _ in s.requires if o in options] for n, s in options.items()}
    for start in graph:
        seen: set[str] = set()
        todo = list(graph[start])
        while todo:
            node = todo.pop()
            if node == start:
                opt = options[start]
                problems.append(
                    Problem(file, opt.line, f"option:{start}", "circular requires between options")
                )
                break
            if node not in seen:
                seen.add(node)
                todo.extend(graph[node])
    return problems


def metadata(raw: LineDict, file: str, folder: Path) -> tuple[TemplateInfo, list[Problem]]:
    problems: list[Problem] = []
    for key in ("slug", "title", "version", "description"):
        if not isinstance(raw.get(key), str | int | float) or str(raw.get(key)).strip() == "":
            problems.append(Problem(file, raw.line, None, f"manifest needs '{key}'"))
    info = TemplateInfo(
        slug=str(raw.get("slug", folder.name)),
        title=str(raw.get("title", "")),
        version=str(raw.get("version", "")),
        description=" ".join(str(raw.get("description", "")).split()),
        path=folder,
        bentuk=str(raw.get("bentuk", "peraturan-desa")),
    )
    return info, problems
