"""The citation catalogue: dasar hukum as data, rendered into Mengingat entries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from perdes.drafting.errors import Problem, TemplateError
from perdes.drafting.model import Citation
from perdes.drafting.paths import templates_root
from perdes.drafting.yamlsrc import line_of, load_yaml, yaml_error_line

# Level in the hierarchy of law (UU 12/2011 Pasal 7 and 8); lower comes first.
LEVELS = {
    "uu": 1,
    "perppu": 1,
    "pp": 2,
    "perpres": 3,
    "permen": 4,
    "perka": 4,
    "perda_prov": 5,
    "perda_kab": 6,
    "perbup": 7,
}
_NAMES = {
    "uu": "Undang-Undang",
    "perppu": "Peraturan Pemerintah Pengganti Undang-Undang",
    "pp": "Peraturan Pemerintah",
    "perpres": "Peraturan Presiden",
    "permen": "Peraturan {penerbit}",
    "perka": "Peraturan Kepala {penerbit}",
    "perda_prov": "Peraturan Daerah {penerbit}",
    "perda_kab": "Peraturan Daerah {penerbit}",
    "perbup": "Peraturan {penerbit}",
}
UNVERIFIED_MARK = "[belum diverifikasi]"
BLANK_NUMBER_MARK = "[nomor belum diisi]"
BLANK_YEAR_MARK = "[tahun belum diisi]"
MARKS = (UNVERIFIED_MARK, BLANK_NUMBER_MARK, BLANK_YEAR_MARK)


@dataclass(frozen=True)
class Gazette:
    kind: str  # LN | BN
    year: int | None  # None: not yet known
    number: str | None  # None: not yet known; "": not applicable
    supplement: str | None  # TLN, LN only

    @property
    def complete(self) -> bool:
        return (
            self.year is not None
            and self.number is not None
            and (self.kind != "LN" or self.supplement is not None)
        )

    def render(self) -> str:
        """The gazette reference; a number not yet known prints a visible marker."""
        year = BLANK_YEAR_MARK if self.year is None else str(self.year)
        if self.kind == "LN":
            text = f"Lembaran Negara Republik Indonesia Tahun {year}"
        else:
            text = f"Berita Negara Republik Indonesia Tahun {year}"
        if self.number != "":
            text += f" Nomor {self.number or BLANK_NUMBER_MARK}"
        if self.kind == "LN" and self.supplement != "":
            supplement = self.supplement or BLANK_NUMBER_MARK
            text += f", Tambahan Lembaran Negara Republik Indonesia Nomor {supplement}"
        return text


@dataclass(frozen=True)
class Instrument:
    """One instrument of law in the catalogue."""

    key: str
    jenis: str
    penerbit: str
    nomor: str
    tahun: int
    judul: str
    gazette: Gazette | None
    amended_by: tuple[str, ...]
    verified: bool
    source: str = ""  # where the numbers were verified (required when verified)

    @property
    def level(self) -> int:
        return LEVELS[self.jenis]

    def name(self) -> str:
        kind = _NAMES[self.jenis].format(penerbit=self.penerbit)
        return f"{kind} Nomor {self.nomor} Tahun {self.tahun} tentang {self.judul}"

    def cited(self) -> str:
        return self.name() + (f" ({self.gazette.render()})" if self.gazette else "")

    @property
    def complete(self) -> bool:
        return self.gazette is None or self.gazette.complete

    def sort_key(self) -> tuple[int, int, int, str]:
        digits = "".join(ch for ch in self.nomor if ch.isdigit())
        return (self.level, self.tahun, int(digits or 0), self.key)


class Catalogue:
    """Instruments by key; renders Mengingat entries with their amendment chains."""

    def __init__(self, instruments: Iterable[Instrument]) -> None:
        self.instruments = {i.key: i for i in instruments}

    def __contains__(self, key: object) -> bool:
        return key in self.instruments

    def citation(self, key: str) -> Citation:
        base = self.instruments[key]
        chain = [self.instruments[k] for k in base.amended_by]
        text = base.cited()
        if len(chain) == 1:
            text += f" sebagaimana telah diubah dengan {chain[0].cited()}"
        elif chain:
            text += f" sebagaimana telah diubah beberapa kali terakhir dengan {chain[-1].cited()}"
        printed = [base, chain[-1]] if chain else [base]
        verified = all(i.verified for i in printed)
        complete = all(i.complete for i in printed)
        if not verified:
            text += f" {UNVERIFIED_MARK}"
        return Citation(key=key, text=text, verified=verified, complete=complete)

    def mengingat(self, keys: Iterable[str]) -> tuple[Citation, ...]:
        """Citations for ``keys`` (duplicates dropped), by level of law, then year."""
        unique = sorted({*keys}, key=lambda k: self.instruments[k].sort_key())
        return tuple(self.citation(k) for k in unique)


def _parse(path: Path) -> tuple[list[Instrument], list[Problem]]:
    name = path.name
    problems: list[Problem] = []
    try:
        raw = load_yaml(path)
    except (OSError, yaml.YAMLError) as exc:
        line = yaml_error_line(exc) if isinstance(exc, yaml.YAMLError) else None
        return [], [Problem(name, line, None, f"cannot read catalogue: {exc}")]
    if not isinstance(raw, dict):
        return [], [Problem(name, 1, None, "catalogue must be a mapping of key → instrument")]
    out: list[Instrument] = []
    for key, entry in raw.items():
        line = line_of(raw, key)

        def bad(msg: str, key: str = key, line: int | None = line) -> None:
            problems.append(Problem(name, line, key, msg))

        if not isinstance(entry, dict):
            bad("entry must be a mapping")
            continue
        jenis = entry.get("jenis")
        if jenis not in LEVELS:
            bad(f"unknown jenis {jenis!r} (expected one of {', '.join(LEVELS)})")
            continue
        if "{penerbit}" in _NAMES[jenis] and not entry.get("penerbit"):
            bad(f"jenis {jenis} needs 'penerbit'")
        if (
            not isinstance(entry.get("tahun"), int)
            or not entry.get("nomor")
            or not entry.get("judul")
        ):
            bad("nomor, tahun (integer) and judul are required")
            continue
        gazette = None
        gz = entry.get("lembaran")
        if gz is not None:
            if not isinstance(gz, dict) or gz.get("jenis") not in ("LN", "BN"):
                bad("lembaran.jenis must be LN or BN")
            else:
                num, sup = gz.get("nomor"), gz.get("tambahan")
                year = gz.get("tahun", entry["tahun"])
                gazette = Gazette(
                    gz["jenis"],
                    None if year is None else int(year),
                    None if num is None else str(num),
                    None if sup is None else str(sup),
                )
        source = " ".join(str(entry.get("source") or "").split())
        if entry.get("verified") is True and not source:
            bad("a verified entry needs 'source': where its numbers were verified")
            continue
        amended = entry.get("diubah") or []
        if not isinstance(amended, list):
            bad("diubah must be a list of keys")
            amended = []
        out.append(
            Instrument(
                key=str(key),
                jenis=str(jenis),
                penerbit=str(entry.get("penerbit", "")),
                nomor=str(entry["nomor"]),
                tahun=int(entry["tahun"]),
                judul=" ".join(str(entry["judul"]).split()),
                gazette=gazette,
                amended_by=tuple(str(k) for k in amended),
                verified=entry.get("verified") is True,
                source=source,
            )
        )
    keys = {i.key for i in out}
    for inst in out:
        for k in inst.amended_by:
            if k not in keys:
                problems.append(
                    Problem(name, line_of(raw, inst.key), inst.key, f"unknown amending key {k!r}")
                )
    return out, problems


def check_catalogue(path: Path | None = None) -> list[Problem]:
    """Every problem of a catalogue file (empty when it is sound)."""
    return _parse(path or templates_root() / "citations.yaml")[1]


@lru_cache(maxsize=8)
def _load_cached(path: Path, mtime_ns: int) -> Catalogue:
    instruments, problems = _parse(path)
    if problems:
        raise TemplateError(problems)
    return Catalogue(instruments)


def load_catalogue(path: Path | None = None) -> Catalogue:
    """Load (and cache until the file changes) the citation catalogue.

    Raises ``TemplateError`` listing every problem when the file is broken.
    """
    path = (path or templates_root() / "citations.yaml").resolve()
    try:
        mtime = path.stat().st_mtime_ns
    except OSError as exc:
        raise TemplateError(
            [Problem(path.name, None, None, f"cannot read catalogue: {exc}")]
        ) from exc
    return _load_cached(path, mtime)
