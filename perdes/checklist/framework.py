"""Checklist frameworks as data: the YAML format, its validation, and the parsed model.

Format (one file per version, e.g. ``frameworks/desa-pmi-prosedural.v1.yaml``)::

    id: desa-pmi-prosedural        # slug; the same across versions
    version: 1                     # whole number; a changed framework gets a higher one
    title: ...                     # Indonesian
    description: ...
    pillars:
      - id: regulasi-kelembagaan   # slug, unique in the file
        title: ...
        description: ...           # optional
        items:
          - id: perdes-diundangkan # slug, unique in the file, stable across versions
            title: ...
            description: ...
            legal_basis: [...]     # text or list of texts
            evidence: ...          # the evidence expected
            weight: 3              # 0–100
            mandatory: true        # at least one item per framework; never "tidak berlaku"
            rule:                  # optional: derive the item from a fact (facts.py)
              fact: tracker.promulgated
              params: {}

Format 2 (``format: 2``) adds a ``sources`` catalogue and, per item, citations, the Pasal 42
huruf, evidence rules, personal data with its legal basis, a validity period and the Desa
Migran EMAS pillar: see ``perdes.checklist.instrument``. ``legal_basis`` is optional there.

Format 2 also knows ``conditional_rule`` (an item derived from a data source only where the
village keeps one, self-assessed elsewhere)::

            conditional_rule:
              when: {fact: register.kept, params: {min_persons: 1, days: 3650}}
              then: {fact: register.departures_12m}

``when`` must be a fact that says the village keeps a source of data (``Fact.condition``);
``then`` any other fact with a ``find`` (it must show its counts); an outcome item's ``then``
must carry the outcome's counts. See ``perdes.checklist.derived`` for what it does.

Pure: no database, no HTTP. ``parse_framework`` returns a ``Framework`` or raises
``FrameworkInvalid`` listing every problem with its file, YAML path, item id and line.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from perdes.checklist.facts import FACTS
from perdes.checklist.instrument import (
    FORMAT2_ITEM_KEYS,
    ItemExtras,
    Source,
    Validity,
    extras_from_data,
    extras_to_data,
    parse_item_extras,
    parse_sources,
    sources_from_data,
    sources_to_data,
)
from perdes.events import Change

BUNDLED_DIR = Path(__file__).parent / "frameworks"
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_WEIGHT = 100

TOP_KEYS = {"id", "version", "title", "description", "pillars", "format", "sources"}
FORMATS = (1, 2)
PILLAR_KEYS = {"id", "title", "description", "items"}
ITEM_KEYS = {
    "id",
    "title",
    "description",
    "legal_basis",
    "evidence",
    "weight",
    "mandatory",
    "rule",
}
RULE_KEYS = {"fact", "params"}
CONDITIONAL_KEYS = {"when", "then"}


@dataclass(frozen=True, slots=True)
class Rule:
    """Derive an item from a named fact (see ``perdes.checklist.facts``)."""

    fact: str
    params: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ConditionalRule:
    """Where ``when`` holds for the village, the item derives from ``then``; elsewhere the
    village answers it itself (``perdes.checklist.derived``)."""

    when: Rule
    then: Rule


@dataclass(frozen=True, slots=True)
class ItemDef:
    """One requirement a village works towards."""

    id: str
    pillar_id: str
    title: str
    description: str
    legal_basis: tuple[str, ...]
    evidence: str
    weight: float
    mandatory: bool
    rule: Rule | None = None
    extras: ItemExtras = field(default_factory=ItemExtras)
    conditional: ConditionalRule | None = None

    @property
    def validity(self) -> Validity:
        return self.extras.validity


@dataclass(frozen=True, slots=True)
class Pillar:
    """A group of items (e.g. "Regulasi dan kelembagaan")."""

    id: str
    title: str
    description: str
    items: tuple[ItemDef, ...]


@dataclass(frozen=True, slots=True)
class Framework:
    """One version of a framework, validated."""

    id: str
    version: int
    title: str
    description: str
    pillars: tuple[Pillar, ...]
    format: int = 1
    sources: Mapping[str, Source] = field(default_factory=dict)

    def items(self) -> Iterator[ItemDef]:
        for pillar in self.pillars:
            yield from pillar.items

    def item(self, item_id: str) -> ItemDef | None:
        return next((i for i in self.items() if i.id == item_id), None)

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.items())


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a framework file, with where it is."""

    source: str
    path: str
    message: str
    line: int | None = None
    item_id: str | None = None

    def __str__(self) -> str:
        where = self.source + (f":{self.line}" if self.line else "")
        item = f" (butir {self.item_id})" if self.item_id else ""
        return f"{where}: {self.path or '(berkas)'}{item}: {self.message}"


class FrameworkInvalid(Exception):
    """The framework file has problems; ``problems`` lists all of them."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


Path_ = tuple[str | int, ...]


def _path_text(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _lines(node: yaml.Node, path: Path_, out: dict[Path_, int], dupes: list[Path_]) -> None:
    """Map every YAML path to its 1-based line, and note duplicate keys (PyYAML keeps the last)."""
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                dupes.append((*path, key))
                out[(*path, key, "#dup")] = key_node.start_mark.line + 1
            seen.add(key)
            _lines(value_node, (*path, key), out, dupes)
    elif isinstance(node, yaml.SequenceNode):
        for index, child in enumerate(node.value):
            _lines(child, (*path, index), out, dupes)


class _Checker:
    def __init__(self, source: str, lines: dict[Path_, int]) -> None:
        self.source = source
        self.lines = lines
        self.problems: list[Problem] = []

    def add(self, path: Path_, message: str, item_id: str | None = None) -> None:
        line = None
        for cut in range(len(path), -1, -1):
            line = self.lines.get(path[:cut])
            if line is not None:
                break
        self.problems.append(
            Problem(self.source, _path_text(path), message, line=line, item_id=item_id)
        )

    def mapping(
        self, value: Any, path: Path_, allowed: set[str], item_id: str | None = None
    ) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.add(path, "harus berupa pemetaan (kunci: nilai)", item_id)
            return {}
        for key in value:
            if key not in allowed:
                self.add(
                    (*path, str(key)),
                    f"kunci tidak dikenal; yang boleh: {', '.join(sorted(allowed))}",
                    item_id,
                )
        return value

    def text(
        self,
        data: dict[str, Any],
        key: str,
        path: Path_,
        *,
        required: bool = True,
        max_length: int = 2000,
        item_id: str | None = None,
    ) -> str:
        value = data.get(key)
        if value is None:
            if required:
                self.add((*path, key), "wajib diisi", item_id)
            return ""
        if not isinstance(value, str):
            self.add((*path, key), "harus berupa teks", item_id)
            return ""
        value = value.strip()
        if required and not value:
            self.add((*path, key), "tidak boleh kosong", item_id)
        elif len(value) > max_length:
            self.add(
                (*path, key), f"terlalu panjang (paling banyak {max_length} karakter)", item_id
            )
        return value

    def slug(self, data: dict[str, Any], path: Path_, item_id: str | None = None) -> str:
        value = data.get("id")
        if not isinstance(value, str) or not SLUG_RE.match(value) or len(value) > 60:
            self.add(
                (*path, "id"),
                "id wajib: huruf kecil, angka dan tanda hubung (mis. perdes-diundangkan), "
                "paling banyak 60 karakter",
                item_id,
            )
            return ""
        return value


def parse_framework(text: str, *, source: str = "<teks>") -> Framework:
    """Validate framework YAML; raise FrameworkInvalid listing every problem found."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        raise FrameworkInvalid([Problem(source, "", f"YAML tidak valid: {reason}", line)]) from exc
    lines: dict[Path_, int] = {}
    dupes: list[Path_] = []
    if node is not None:
        _lines(node, (), lines, dupes)
    check = _Checker(source, lines)
    for dup in dupes:
        check.problems.append(
            Problem(source, _path_text(dup), "kunci ganda", line=lines.get((*dup, "#dup")))
        )
    top = check.mapping(data, (), TOP_KEYS)
    framework_id = check.slug(top, ())
    version = top.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= 10_000:
        check.add(("version",), "versi wajib berupa bilangan bulat 1–10000")
        version = 0
    title = check.text(top, "title", (), max_length=200)
    description = check.text(top, "description", (), max_length=4000)
    fmt = top.get("format", 1)
    if fmt not in FORMATS or isinstance(fmt, bool):
        check.add(("format",), "format: 1 atau 2")
        fmt = 1
    sources: dict[str, Source] = {}
    if fmt == 2:
        sources = parse_sources(check, top.get("sources"))
    elif "sources" in top:
        check.add(("sources",), "sumber hanya dikenal pada format: 2")
    pillars: list[Pillar] = []
    pillar_ids: set[str] = set()
    item_ids: set[str] = set()
    raw_pillars = top.get("pillars")
    if not isinstance(raw_pillars, list) or not raw_pillars:
        check.add(("pillars",), "wajib berisi daftar pilar, sekurang-kurangnya satu")
        raw_pillars = []
    for p_index, raw_pillar in enumerate(raw_pillars):
        p_path: Path_ = ("pillars", p_index)
        pdata = check.mapping(raw_pillar, p_path, PILLAR_KEYS)
        pillar_id = check.slug(pdata, p_path)
        if pillar_id and pillar_id in pillar_ids:
            check.add((*p_path, "id"), f"id pilar '{pillar_id}' dipakai lebih dari sekali")
        pillar_ids.add(pillar_id)
        pillar_title = check.text(pdata, "title", p_path, max_length=200)
        pillar_description = check.text(pdata, "description", p_path, required=False)
        items: list[ItemDef] = []
        raw_items = pdata.get("items")
        if not isinstance(raw_items, list) or not raw_items:
            check.add((*p_path, "items"), "wajib berisi daftar butir, sekurang-kurangnya satu")
            raw_items = []
        for i_index, raw_item in enumerate(raw_items):
            item = _parse_item(
                check, raw_item, (*p_path, "items", i_index), pillar_id, item_ids, sources, fmt
            )
            if item is not None:
                items.append(item)
        pillars.append(Pillar(pillar_id, pillar_title, pillar_description, tuple(items)))
    if sum(i.extras.outcome for p in pillars for i in p.items) > 1:
        check.add(("pillars",), "paling banyak satu butir hasil (outcome: true)")
    if pillars and item_ids and not any(i.mandatory for p in pillars for i in p.items):
        check.add(("pillars",), "sekurang-kurangnya satu butir harus wajib (mandatory: true)")
    if check.problems:
        raise FrameworkInvalid(check.problems)
    return Framework(
        framework_id, version, title, description, tuple(pillars), format=fmt, sources=sources
    )


def _parse_item(
    check: _Checker,
    raw: Any,
    path: Path_,
    pillar_id: str,
    seen: set[str],
    sources: Mapping[str, Source],
    fmt: int,
) -> ItemDef | None:
    raw_id = raw.get("id") if isinstance(raw, dict) else None
    label = raw_id if isinstance(raw_id, str) else None
    allowed = ITEM_KEYS | (FORMAT2_ITEM_KEYS | {"conditional_rule"} if fmt == 2 else set())
    data = check.mapping(raw, path, allowed, label)
    item_id = check.slug(data, path, label)
    if item_id and item_id in seen:
        check.add((*path, "id"), f"id butir '{item_id}' dipakai lebih dari sekali", item_id)
    seen.add(item_id)
    title = check.text(data, "title", path, max_length=200, item_id=label)
    description = check.text(data, "description", path, item_id=label)
    evidence = check.text(data, "evidence", path, max_length=1000, item_id=label)
    basis = data.get("legal_basis")
    if isinstance(basis, str):
        basis = [basis]
    if fmt == 2 and basis is None:
        basis = []  # format 2 cites its sources instead
    elif (
        not isinstance(basis, list)
        or not basis
        or not all(isinstance(b, str) and b.strip() for b in basis)
    ):
        check.add((*path, "legal_basis"), "wajib: teks atau daftar teks dasar hukum", label)
        basis = []
    weight = data.get("weight")
    if isinstance(weight, bool) or not isinstance(weight, int | float):
        check.add((*path, "weight"), "bobot wajib berupa angka", label)
        weight = 0
    elif not 0 <= weight <= MAX_WEIGHT:
        check.add((*path, "weight"), f"bobot harus antara 0 dan {MAX_WEIGHT}", label)
    mandatory = data.get("mandatory", False)
    if not isinstance(mandatory, bool):
        check.add((*path, "mandatory"), "harus true atau false", label)
        mandatory = False
    rule = _parse_rule(check, data.get("rule"), (*path, "rule"), label)
    extras = ItemExtras()
    if fmt == 2:
        extras = parse_item_extras(check, data, path, label, sources=sources, evidence=evidence)
        if rule is not None and extras.validity.kind != "none":
            check.add((*path, "validity"), "butir otomatis mengikuti faktanya: none", label)
    conditional = None
    if fmt == 2 and "conditional_rule" in data:
        conditional = _parse_conditional(
            check, data["conditional_rule"], (*path, "conditional_rule"), label,
            has_rule=rule is not None, extras=extras,
        )  # fmt: skip
    return ItemDef(
        id=item_id,
        pillar_id=pillar_id,
        title=title,
        description=description,
        legal_basis=tuple(b.strip() for b in basis),
        evidence=evidence,
        weight=float(weight),
        mandatory=mandatory,
        rule=rule,
        extras=extras,
        conditional=conditional,
    )


def _parse_conditional(
    check: _Checker,
    raw: Any,
    path: Path_,
    label: str | None,
    *,
    has_rule: bool,
    extras: ItemExtras,
) -> ConditionalRule | None:
    """``conditional_rule: {when: FACT, then: FACT}``: every problem reported on its path."""
    data = check.mapping(raw, path, CONDITIONAL_KEYS, label)
    if has_rule:
        check.add(path, "butir sudah memakai rule; pilih rule atau conditional_rule", label)
    for key in sorted(k for k in CONDITIONAL_KEYS if data.get(k) is None):
        check.add((*path, key), "wajib diisi: {fact: NAMA, params: {...}}", label)
    when = _parse_rule(check, data.get("when"), (*path, "when"), label)
    then = _parse_rule(check, data.get("then"), (*path, "then"), label)
    if when is not None and not FACTS[when.fact].condition:
        usable = ", ".join(sorted(n for n, f in FACTS.items() if f.condition))
        check.add(
            (*path, "when", "fact"),
            f"syarat harus fakta bahwa desa menyimpan sumber data ({usable})",
            label,
        )
    for key, rule in (("when", when), ("then", then)):
        if rule is not None and Change.CHECKLIST in FACTS[rule.fact].events:
            check.add(
                (*path, key, "fact"),
                f"{rule.fact} dihitung dari ceklis itu sendiri: turunan melingkar",
                label,
            )
    if then is not None:
        fact = FACTS[then.fact]
        if when is not None and when == then:
            check.add((*path, "then"), "aturan sama dengan syaratnya: turunan melingkar", label)
        if fact.find is None:
            check.add(
                (*path, "then", "fact"),
                f"{then.fact} tidak memberi angka dasar; butir turunan harus menunjukkan asalnya",
                label,
            )
        if extras.outcome and not fact.outcome_figures:
            usable = ", ".join(sorted(n for n, f in FACTS.items() if f.outcome_figures))
            check.add(
                (*path, "then", "fact"),
                f"butir hasil (outcome) hanya dapat diturunkan dari {usable}",
                label,
            )
    if extras.validity.kind != "months":
        check.add(
            (*path[:-1], "validity"),
            "butir bersyarat perlu {months: N}: pengesahan pemantau atas angka register "
            "kedaluwarsa",
            label,
        )
    if extras.future_rule:
        check.add((*path[:-1], "future_rule"), "sudah diturunkan: hapus future_rule", label)
    if when is None or then is None:
        return None
    return ConditionalRule(when, then)


def _parse_rule(check: _Checker, raw: Any, path: Path_, label: str | None) -> Rule | None:
    if raw is None:
        return None
    data = check.mapping(raw, path, RULE_KEYS, label)
    name = data.get("fact")
    fact = FACTS.get(name) if isinstance(name, str) else None
    if fact is None:
        check.add(
            (*path, "fact"),
            f"fakta tidak dikenal; yang tersedia: {', '.join(sorted(FACTS))}",
            label,
        )
        return None
    raw_params = data.get("params", {}) or {}
    if not isinstance(raw_params, dict):
        check.add((*path, "params"), "harus berupa pemetaan", label)
        return None
    params: dict[str, int] = {}
    for key in raw_params:
        if key not in fact.params:
            check.add((*path, "params", str(key)), f"parameter tidak dikenal untuk {name}", label)
    for key, spec in fact.params.items():
        value = raw_params.get(key)
        if value is None:
            if spec.required:
                check.add((*path, "params", key), "parameter wajib diisi", label)
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            check.add((*path, "params", key), "harus berupa bilangan bulat", label)
        elif not spec.minimum <= value <= spec.maximum:
            check.add(
                (*path, "params", key), f"harus antara {spec.minimum} dan {spec.maximum}", label
            )
        else:
            params[key] = value
    return Rule(fact=fact.name, params=params)


def load_framework_file(path: Path) -> Framework:
    """Read and validate one file; unreadable or non-UTF-8 files are reported as problems."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FrameworkInvalid(
            [Problem(str(path), "", f"berkas tidak dapat dibaca: {exc}")]
        ) from exc
    return parse_framework(text, source=str(path))


def bundled_files() -> list[Path]:
    """The frameworks shipped with the app."""
    return sorted(BUNDLED_DIR.glob("*.yaml"))


def to_data(framework: Framework) -> dict[str, Any]:
    """A JSON-ready dict, stored with each version in the database.

    Format-1 content keeps exactly its old shape, so versions stored before format 2 existed
    keep their content hash.
    """
    data = _to_data(framework)
    if framework.format == 2:
        data["format"] = 2
        data["sources"] = sources_to_data(framework.sources)
        for pillar, p in zip(data["pillars"], framework.pillars, strict=True):
            for item, i in zip(pillar["items"], p.items, strict=True):
                item.update(extras_to_data(i.extras))
                if i.conditional is not None:  # absent otherwise: stored v2 keeps its hash
                    cond = i.conditional
                    item["conditional_rule"] = {
                        key: {"fact": rule.fact, "params": dict(rule.params)}
                        for key, rule in (("when", cond.when), ("then", cond.then))
                    }
    return data


def _to_data(framework: Framework) -> dict[str, Any]:
    return {
        "id": framework.id,
        "version": framework.version,
        "title": framework.title,
        "description": framework.description,
        "pillars": [
            {
                "id": p.id,
                "title": p.title,
                "description": p.description,
                "items": [
                    {
                        "id": i.id,
                        "title": i.title,
                        "description": i.description,
                        "legal_basis": list(i.legal_basis),
                        "evidence": i.evidence,
                        "weight": i.weight,
                        "mandatory": i.mandatory,
                        "rule": (
                            {"fact": i.rule.fact, "params": dict(i.rule.params)} if i.rule else None
                        ),
                    }
                    for i in p.items
                ],
            }
            for p in framework.pillars
        ],
    }


def from_data(data: Mapping[str, Any]) -> Framework:
    """Rebuild a framework from ``to_data`` output (already validated when it was loaded)."""
    pillars = tuple(
        Pillar(
            id=p["id"],
            title=p["title"],
            description=p["description"],
            items=tuple(
                ItemDef(
                    id=i["id"],
                    pillar_id=p["id"],
                    title=i["title"],
                    description=i["description"],
                    legal_basis=tuple(i["legal_basis"]),
                    evidence=i["evidence"],
                    weight=float(i["weight"]),
                    mandatory=bool(i["mandatory"]),
                    rule=Rule(i["rule"]["fact"], dict(i["rule"]["params"])) if i["rule"] else None,
                    extras=extras_from_data(i),
                    conditional=_conditional_from_data(i.get("conditional_rule")),
                )
                for i in p["items"]
            ),
        )
        for p in data["pillars"]
    )
    return Framework(
        data["id"],
        data["version"],
        data["title"],
        data["description"],
        pillars,
        format=int(data.get("format", 1)),
        sources=sources_from_data(data.get("sources", {})),
    )


def _conditional_from_data(data: Mapping[str, Any] | None) -> ConditionalRule | None:
    if not data:
        return None
    return ConditionalRule(
        Rule(data["when"]["fact"], dict(data["when"]["params"])),
        Rule(data["then"]["fact"], dict(data["then"]["params"])),
    )


def content_hash(framework: Framework) -> str:
    """SHA-256 of the canonical JSON form: same content, same hash, whatever the YAML layout."""
    canonical = json.dumps(to_data(framework), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()
