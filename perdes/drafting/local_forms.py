"""Local legal forms as data: what a village regulation and its offices are called.

``templates/perdes/local-forms.yaml`` gives a national default, then entries per province
or kabupaten/kota code; the village profile overrides both. Whether the regency is a
kabupaten or a kota follows from its code (01–69 kabupaten, 71–99 kota; domain.md §5.1).
Terms that come from an entry not verified in domain.md are reported in ``unverified``
unless the village set them in its profile.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from perdes.drafting.errors import Problem, TemplateError
from perdes.drafting.model import VillageContext
from perdes.drafting.paths import templates_root

FIELDS = (
    "jenis_peraturan",
    "sebutan_desa",
    "sebutan_kepala_desa",
    "sebutan_bpd",
    "singkatan_bpd",
    "sebutan_kecamatan",
    "sebutan_camat",
)
# Profile fields that override the data (a value equal to the national default of the
# older profile columns counts as "not set", so existing profiles follow the region).
OVERRIDABLE = (
    "jenis_peraturan",
    "sebutan_desa",
    "sebutan_kepala_desa",
    "sebutan_bpd",
    "singkatan_bpd",
    "sebutan_kecamatan",
    "sebutan_camat",
)
_META = {"name", "verified", "source", "note"}


@dataclass(frozen=True)
class LocalForm:
    """The resolved terms for one village."""

    jenis_peraturan: str
    sebutan_desa: str
    sebutan_kepala_desa: str
    sebutan_bpd: str
    singkatan_bpd: str | None
    sebutan_kecamatan: str
    sebutan_camat: str
    daerah: str  # "kabupaten" or "kota"
    unverified: tuple[str, ...] = ()  # terms from unverified data, not confirmed by the village

    @property
    def bpd_singkat(self) -> str:
        """How the council is referred to after its definition: its abbreviation or, when
        none is known, its full name."""
        return self.singkatan_bpd or self.sebutan_bpd

    @property
    def sebutan_sekretaris(self) -> str:
        """The village secretary: "Sekretaris Desa", "Sekretaris Gampong" …"""
        return f"Sekretaris {self.sebutan_desa}"

    @property
    def kepala_daerah(self) -> str:
        return "Wali Kota" if self.daerah == "kota" else "Bupati"


@dataclass(frozen=True)
class _Data:
    default: dict[str, Any]
    regions: dict[str, dict[str, Any]]


def _problems(raw: Any, name: str) -> list[Problem]:
    if not isinstance(raw, dict) or not isinstance(raw.get("default"), dict):
        return [Problem(name, None, None, "needs a 'default' mapping")]
    out: list[Problem] = []
    default = raw["default"]
    for f in FIELDS:
        if f != "singkatan_bpd" and not default.get(f):
            out.append(Problem(name, None, "default", f"missing {f!r}"))
    entries = {"default": default, **(raw.get("regions") or {})}
    for key, entry in entries.items():
        if not isinstance(entry, dict):
            out.append(Problem(name, None, str(key), "entry must be a mapping"))
            continue
        unknown = set(entry) - set(FIELDS) - _META
        if unknown:
            out.append(Problem(name, None, str(key), f"unknown keys: {', '.join(sorted(unknown))}"))
        if entry.get("verified") is True and not str(entry.get("source") or "").strip():
            out.append(Problem(name, None, str(key), "a verified entry needs 'source'"))
    return out


@lru_cache(maxsize=4)
def _load(path: Path, mtime_ns: int) -> _Data:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise TemplateError([Problem(path.name, None, None, f"cannot read: {exc}")]) from exc
    problems = _problems(raw, path.name)
    if problems:
        raise TemplateError(problems)
    regions = {str(k): dict(v) for k, v in (raw.get("regions") or {}).items()}
    return _Data(dict(raw["default"]), regions)


def load_local_forms(path: Path | None = None) -> _Data:
    path = (path or templates_root() / "local-forms.yaml").resolve()
    try:
        mtime = path.stat().st_mtime_ns
    except OSError as exc:
        raise TemplateError([Problem(path.name, None, None, f"cannot read: {exc}")]) from exc
    return _load(path, mtime)


def check_local_forms(path: Path | None = None) -> list[Problem]:
    """Every problem of the local-forms file (empty when sound)."""
    path = path or templates_root() / "local-forms.yaml"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        return [Problem(path.name, None, None, f"cannot read: {exc}")]
    return _problems(raw, path.name)


def daerah_of(code: str) -> str:
    """ "kota" when the kabupaten/kota part of the code is 71–99, else "kabupaten"."""
    parts = code.split(".")
    if len(parts) >= 2 and parts[1].isdigit() and 71 <= int(parts[1]) <= 99:
        return "kota"
    return "kabupaten"


def resolve_local_form(village: VillageContext, path: Path | None = None) -> LocalForm:
    """The terms for ``village``: national default ← province ← kabupaten/kota ← profile."""
    data = load_local_forms(path)
    values: dict[str, Any] = {f: data.default.get(f) for f in FIELDS}
    unverified: set[str] = set()
    parts = village.village_code.split(".")
    for key in (parts[0], ".".join(parts[:2])):
        entry = data.regions.get(key)
        if entry is None:
            continue
        for f in FIELDS:
            if f in entry:
                values[f] = entry[f]
                if entry.get("verified") is True:
                    unverified.discard(f)
                else:
                    unverified.add(f)
    national = data.default
    for f in OVERRIDABLE:
        given = getattr(village, f, None)
        if given is None or (isinstance(given, str) and not given.strip()):
            continue
        if given == national.get(f) and values[f] != given:
            continue  # an untouched profile column holding the national default
        values[f] = given.strip()
        unverified.discard(f)
    if values["singkatan_bpd"] is not None and not str(values["singkatan_bpd"]).strip():
        values["singkatan_bpd"] = None
    shown = [values[f] for f in FIELDS if f in unverified and values[f]]
    return LocalForm(
        jenis_peraturan=str(values["jenis_peraturan"]),
        sebutan_desa=str(values["sebutan_desa"]),
        sebutan_kepala_desa=str(values["sebutan_kepala_desa"]),
        sebutan_bpd=str(values["sebutan_bpd"]),
        singkatan_bpd=None if values["singkatan_bpd"] is None else str(values["singkatan_bpd"]),
        sebutan_kecamatan=str(values["sebutan_kecamatan"]),
        sebutan_camat=str(values["sebutan_camat"]),
        daerah=daerah_of(village.village_code),
        unverified=tuple(dict.fromkeys(str(s) for s in shown)),
    )
