"""The parsed (not yet assembled) form of a template: clause tree with source lines."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jinja2 import Template as JinjaTemplate


@dataclass
class SrcText:
    """A piece of Jinja text with where it came from."""

    source: str
    file: str
    line: int
    compiled: JinjaTemplate | None = None
    edited: bool = False  # the drafter's wording (perdes.drafting.edits): plain text + tokens


@dataclass
class SrcCond:
    """A condition ``[if: expr]`` (a Jinja expression over options and variables)."""

    source: str
    file: str
    line: int
    compiled: Any = None  # jinja2 TemplateExpression


@dataclass
class SrcPara:
    text: SrcText
    cond: SrcCond | None = None


@dataclass
class SrcItem:
    level: int
    numeric: bool  # "+" marker: "1." (definitions), else a. → 1. → a) → 1)
    text: SrcText
    conj: str = "dan"
    cond: SrcCond | None = None
    children: list[SrcItem] = field(default_factory=list)


@dataclass
class SrcAyat:
    ordinal: int  # position among the ayat as written, 1-based
    text: SrcText
    cond: SrcCond | None = None
    blocks: list[SrcPara | SrcItem] = field(default_factory=list)


@dataclass
class SrcExplanation:
    ayat: int | None  # ayat ordinal, or None for the whole Pasal
    text: SrcText
    cond: SrcCond | None = None


@dataclass
class SrcPasal:
    clause_id: str
    file: str
    line: int
    cond: SrcCond | None = None
    blocks: list[SrcPara | SrcItem | SrcAyat] = field(default_factory=list)
    explanations: list[SrcExplanation] = field(default_factory=list)

    def ayat(self) -> list[SrcAyat]:
        return [b for b in self.blocks if isinstance(b, SrcAyat)]


@dataclass
class SrcBagian:
    """A Bagian; its condition only decides whether the subdivision is shown: when
    false its Pasal stay in the BAB, ungrouped."""

    clause_id: str
    title: SrcText
    file: str
    line: int
    cond: SrcCond | None = None
    pasal: list[SrcPasal] = field(default_factory=list)


@dataclass
class SrcBab:
    clause_id: str
    title: SrcText
    file: str
    line: int
    cond: SrcCond | None = None
    parts: list[SrcPasal | SrcBagian] = field(default_factory=list)

    def all_pasal(self) -> list[SrcPasal]:
        out: list[SrcPasal] = []
        for part in self.parts:
            out.extend(part.pasal if isinstance(part, SrcBagian) else [part])
        return out
