"""Errors raised by the drafting engine."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


class DraftingError(Exception):
    """Base class of every drafting error."""


@dataclass(frozen=True)
class Problem:
    """One problem found in a template: where it is and what is wrong."""

    file: str
    line: int | None
    clause_id: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        clause = f" [{self.clause_id}]" if self.clause_id else ""
        return f"{where}{clause}: {self.message}"


class TemplateError(DraftingError):
    """A template is broken; ``problems`` lists every problem found, with its location."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        first = str(self.problems[0]) if self.problems else "invalid template"
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(first + more)


class TemplateNotFound(DraftingError):
    """No template with that slug or path."""


class DraftInputError(DraftingError):
    """Values or options were refused.

    ``errors`` maps a field (variable or option name) to an English message and
    ``messages_id`` maps the same fields to Indonesian messages for the web UI.
    """

    def __init__(self, errors: Mapping[str, str], messages_id: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        self.messages_id = dict(messages_id)
        first = next(iter(self.errors.items()), ("input", "invalid input"))
        super().__init__(f"{first[0]}: {first[1]}")


class CrossReferenceError(DraftInputError):
    """A clause refers to a clause (or ayat) that the chosen options exclude."""

    def __init__(self, source_id: str, target_id: str, detail: str = "") -> None:
        self.source_id = source_id
        self.target_id = target_id
        suffix = f" {detail}" if detail else ""
        en = f"clause {source_id} refers to {target_id}, which is excluded{suffix}"
        idn = f"ketentuan {source_id} merujuk {target_id} yang tidak disertakan{suffix}"
        super().__init__({"options": en}, {"options": idn})
