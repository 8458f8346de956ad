"""Step documents (undangan, berita acara, surat penyampaian, Lembaran Desa page, laporan) as
templates: data, not code, in the same form as the regulation templates (a manifest and a
text file of Jinja2 rendered in the sandbox). Pure: no database, no HTTP.

``templates/dokumen/<slug>/manifest.yaml`` names the tracker stage the document belongs to,
the app data it ``needs`` (with the Indonesian label used to say what is missing), the
``inputs`` a user types because the app cannot know them (the date and place of a meeting),
and ``facts`` (legal statements) each marked ``verified`` with a ``source`` or a ``note``:
an unverified fact is printed followed by "[belum diverifikasi]". ``isi.txt`` holds the
text, one paragraph per line:

``= text`` centred bold · ``~ text`` centred · ``| label | value`` a "label : value" row ·
``- text`` a lettered item · ``> text`` the right signature column · ``< text`` the left
one · ``[if: expr]`` at the start keeps the line only when true · ``#`` a comment.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from jinja2 import TemplateError as JinjaError
from jinja2.sandbox import SandboxedEnvironment

from perdes.drafting.catalogue import UNVERIFIED_MARK
from perdes.drafting.loader import make_env
from perdes.drafting.local_forms import resolve_local_form
from perdes.drafting.model import VillageContext
from perdes.drafting.paths import templates_root
from perdes.drafting.textclean import clean_text
from perdes.drafting.words import letter, number_in_words, tanggal, words

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
AUDIENCES = ("semua", "dievaluasi", "tidak-dievaluasi")
INPUT_TYPES = ("date", "text")
_LINE = re.compile(r"^(?:\[if:\s*(?P<cond>[^\]]+)\]\s*)?(?P<body>.*)$")
_STYLES = {
    "=": "PD Judul",
    "~": "PD Tengah",
    "|": "PD Konsiderans",
    "-": "PD Butir 1",
    ">": "PD TTD",
    "<": "PD TTD Kiri",
}
DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")


class StepTemplateError(Exception):
    """A step-document template is unreadable or inconsistent (a bug in the data)."""


class MissingData(Exception):
    """The app lacks data the document needs; ``missing`` holds the Indonesian labels."""

    def __init__(self, missing: list[tuple[str, str]]) -> None:
        super().__init__(", ".join(label for _, label in missing))
        self.missing = missing


@dataclass(frozen=True)
class InputSpec:
    name: str
    type: str
    label: str
    max_length: int = 150
    required: bool = True


@dataclass(frozen=True)
class Fact:
    text: str
    verified: bool
    source: str = ""


@dataclass(frozen=True)
class StepTemplate:
    """A loaded step-document template."""

    slug: str
    title: str
    version: str
    stage: str
    audience: str  # semua | dievaluasi | tidak-dievaluasi (by the type of Perdes)
    file_name: str
    needs: dict[str, str]
    inputs: dict[str, InputSpec]
    facts: dict[str, Fact]
    lines: tuple[tuple[str, str | None, str, int], ...]  # (marker, condition, text, line no)
    env: SandboxedEnvironment = field(repr=False, compare=False, hash=False)

    def applies_to(self, evaluated: bool) -> bool:
        if self.audience == "dievaluasi":
            return evaluated
        if self.audience == "tidak-dievaluasi":
            return not evaluated
        return True


@dataclass(frozen=True)
class StepDocument:
    """An assembled step document: paragraphs (style, text) ready for a renderer."""

    title: str
    file_name: str
    paragraphs: tuple[tuple[str, str], ...]


def step_root() -> Path:
    return templates_root().parent / "dokumen"


LIST_SECONDS = 5.0
"""How long a process reuses the list of step-document templates before reading the folder
again (a template added, removed or edited on disk is seen within this time)."""
_listed: dict[Path, tuple[float, list[StepTemplate]]] = {}
_listed_lock = threading.Lock()


def list_step_templates(root: Path | None = None) -> list[StepTemplate]:
    """The step-document templates under ``root`` (by default the app's), by slug. The list is
    read from disk at most once per ``LIST_SECONDS`` per process: the templates are files
    shipped with the app (no route adds one), so only a change on disk can alter it."""
    base = root or step_root()
    now = time.monotonic()
    with _listed_lock:
        cached = _listed.get(base)
    if cached is not None and now - cached[0] < LIST_SECONDS:
        return list(cached[1])
    found = [_load(p, _stamp(p)) for p in sorted(base.iterdir()) if (p / "manifest.yaml").is_file()]
    with _listed_lock:
        _listed[base] = (now, found)
    return list(found)


def load_step_template(slug: str, *, root: Path | None = None) -> StepTemplate:
    """A step-document template by slug; ``StepTemplateError`` names what is wrong."""
    base = root or step_root()
    # Only a folder that exists under the root: never a path built from whatever was asked.
    known = {p.name for p in base.iterdir() if (p / "manifest.yaml").is_file()}
    if len(slug) > 60 or not SLUG.match(slug) or slug not in known:
        raise StepTemplateError(f"no step-document template {slug[:60]!r}")
    folder = base / slug
    return _load(folder, _stamp(folder))


def _stamp(folder: Path) -> tuple[int, ...]:
    """The folder's files' modification times: an edited template is read again."""
    return tuple(p.stat().st_mtime_ns for p in sorted(folder.iterdir()))


@lru_cache(maxsize=32)
def _load(folder: Path, stamp: tuple[int, ...]) -> StepTemplate:
    where = folder.name
    try:
        raw = yaml.safe_load((folder / "manifest.yaml").read_text(encoding="utf-8"))
        body = (folder / str(raw.get("isi", "isi.txt"))).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, yaml.YAMLError, AttributeError) as exc:
        raise StepTemplateError(f"{where}: {exc}") from exc
    for key in ("slug", "title", "version", "stage", "file_name"):
        if not str(raw.get(key, "")).strip():
            raise StepTemplateError(f"{where}: manifest needs {key!r}")
    audience = str(raw.get("untuk", "semua"))
    if audience not in AUDIENCES:
        raise StepTemplateError(f"{where}: 'untuk' must be one of {', '.join(AUDIENCES)}")
    inputs: dict[str, InputSpec] = {}
    for name, spec in (raw.get("inputs") or {}).items():
        kind = str(spec.get("type", "text"))
        if kind not in INPUT_TYPES:
            raise StepTemplateError(f"{where}: input {name}: type must be date or text")
        inputs[str(name)] = InputSpec(
            str(name),
            kind,
            str(spec["label"]),
            int(spec.get("max_length", 150)),
            bool(spec.get("required", True)),
        )
    facts: dict[str, Fact] = {}
    for name, spec in (raw.get("facts") or {}).items():
        verified = bool(spec.get("verified", False))
        source = str(spec.get("source", "") or "")
        if verified and not source:
            raise StepTemplateError(f"{where}: fact {name} is verified but names no source")
        if not verified and not (source or spec.get("note")):
            raise StepTemplateError(f"{where}: unverified fact {name} needs a note")
        facts[str(name)] = Fact(" ".join(str(spec["text"]).split()), verified, source)
    env = make_env()
    lines: list[tuple[str, str | None, str, int]] = []
    for n, text in enumerate(body.splitlines(), start=1):
        s = text.strip()
        if not s or s.startswith("#"):
            continue
        match = _LINE.match(s)
        assert match is not None  # the pattern matches any line
        cond, rest = match.group("cond"), match.group("body").strip()
        marker = rest[:1] if rest[:1] in _STYLES and rest[1:2] in (" ", "") else ""
        content = rest[2:] if marker else rest
        try:
            env.from_string(content)
            if cond:
                env.compile_expression(cond)
        except JinjaError as exc:
            raise StepTemplateError(f"{where}/isi.txt:{n}: {exc}") from exc
        lines.append((marker, cond, content, n))
    return StepTemplate(
        slug=str(raw["slug"]),
        title=str(raw["title"]),
        version=str(raw["version"]),
        stage=str(raw["stage"]),
        audience=audience,
        file_name=str(raw["file_name"]),
        needs={str(k): str(v) for k, v in (raw.get("needs") or {}).items()},
        inputs=inputs,
        facts=facts,
        lines=tuple(lines),
        env=env,
    )


def hari(d: date) -> str:
    """The Indonesian weekday: "Senin"."""
    return DAYS[d.weekday()]


def assemble_step(
    template: StepTemplate, *, data: Mapping[str, Any], inputs: Mapping[str, Any]
) -> StepDocument:
    """Fill the template with the app's data and the typed inputs.

    Raises ``MissingData`` listing every needed datum (or required input) that is empty, so
    the user sees at once all that is missing; ``StepTemplateError`` for a broken template.
    """
    missing = [(k, label) for k, label in template.needs.items() if data.get(k) in (None, "")]
    missing += [
        (k, spec.label)
        for k, spec in template.inputs.items()
        if spec.required and inputs.get(k) in (None, "")
    ]
    if missing:
        raise MissingData(missing)
    context: dict[str, Any] = {
        **{k: v for k, v in data.items()},
        **{k: inputs.get(k) for k in template.inputs},
        "tanggal": tanggal,
        "hari": hari,
        "angka": number_in_words,
        "terbilang": words,
    }
    facts: dict[str, str] = {}
    for name, f in template.facts.items():  # facts may use local terms ("{{ camat }}")
        try:
            text = template.env.from_string(f.text).render(context)
        except JinjaError as exc:
            raise StepTemplateError(f"{template.slug}: fact {name}: {exc}") from exc
        facts[name] = text if f.verified else f"{text} {UNVERIFIED_MARK}"
    context["fakta"] = facts
    out: list[tuple[str, str]] = []
    item = 0
    for marker, cond, content, n in template.lines:
        try:
            if cond and not template.env.compile_expression(cond)(**context):
                continue
            text = template.env.from_string(content).render(context)
        except JinjaError as exc:
            raise StepTemplateError(f"{template.slug}/isi.txt:{n}: {exc}") from exc
        text = " ".join(clean_text(text).split())
        if marker == "-":
            item += 1
            text = f"{letter(item)}.\t{text}"
        else:
            item = 0
        if marker == "|":
            label, _, value = text.partition("|")
            text = f"{label.strip()}\t:\t{value.strip()}"
        out.append((_STYLES.get(marker, "PD Teks"), text))
    return StepDocument(template.title, template.file_name, tuple(out))


def village_terms(village: VillageContext) -> dict[str, Any]:
    """The names a step document speaks of the village with: local terms (Desa/Nagari,
    Kepala Desa/Wali Nagari, Camat/Kepala Distrik …) and the officials' names."""
    form = resolve_local_form(village)
    kabupaten = village.kabupaten_name
    return {
        "desa": form.sebutan_desa,
        "nama_desa": village.desa_name,
        "kades": form.sebutan_kepala_desa,
        "bpd": form.sebutan_bpd,
        "bpd_singkat": form.bpd_singkat,
        "perdes": form.jenis_peraturan,
        "pemdes": f"Pemerintah {form.sebutan_desa}",
        "sekdes": form.sebutan_sekretaris,
        "sebutan_kecamatan": form.sebutan_kecamatan,
        "camat": form.sebutan_camat,
        "kecamatan": village.kecamatan_name,
        "kabupaten": kabupaten,
        "nama_daerah": kabupaten.removeprefix("Kabupaten ").removeprefix("Kota "),
        "bupati": form.kepala_daerah,
        "provinsi": village.provinsi_name,
        "nama_kepala_desa": village.kepala_desa_name,
        "nama_sekretaris_desa": village.sekretaris_desa_name,
        "nama_ketua_bpd": village.ketua_bpd_name,
    }
