"""Small-count suppression of register figures below the kecamatan, so no one is re-identified.

A village's count under ``THRESHOLD`` is shown as "< 5" (primary suppression). That alone
leaks by differencing: the kecamatan total is shown exactly, so a single hidden village is
the total minus the others; and within a row, departures minus procedural departures gives
the non-procedural count. Two more rules close that:

* complements: a part and its whole (procedural of departures, verified of departures) — when
  the part or the remainder ``whole - part`` is under the threshold, the part is hidden too
  (the whole stays visible when it is large enough, the remainder is never shown);
* secondary suppression per column: among the rows summing to a shown total, the hidden cells
  together must hold ``0`` or at least ``THRESHOLD`` people, and there must not be exactly one
  hidden cell; otherwise the smallest visible cells are hidden as well, one at a time.

Kecamatan and higher levels are shown exactly (the brief's rule). Pure functions: no DB.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

THRESHOLD = 5
HIDDEN_LABEL = "< 5"


@dataclass(frozen=True, slots=True)
class Cell:
    """A count as a reader may see it: ``value`` is None when suppressed."""

    value: int | None

    @property
    def hidden(self) -> bool:
        return self.value is None

    @property
    def label(self) -> str:
        return HIDDEN_LABEL if self.value is None else f"{self.value:,}".replace(",", ".")

    def json(self) -> int | str:
        """The API form: the number, or the string "< 5"."""
        return HIDDEN_LABEL if self.value is None else self.value


def shown(value: int) -> Cell:
    return Cell(value)


def primary(counts: Mapping[str, int], *, threshold: int = THRESHOLD) -> dict[str, int | str]:
    """Counts shown on their own, with no total beside them that could give a hidden one away
    (a village's figures outside the village): each under ``threshold`` becomes "< 5"."""
    return {key: Cell(None if v < threshold else v).json() for key, v in counts.items()}


def suppress_rows(
    rows: Sequence[Mapping[str, int]],
    *,
    columns: Sequence[str],
    parts: Mapping[str, str] | None = None,
    threshold: int = THRESHOLD,
) -> list[dict[str, Cell]]:
    """Suppress the village rows of one table whose column totals are shown elsewhere.

    ``rows`` are the villages of one group (a kecamatan, or a kecamatan's villages on a
    page), each a mapping column -> count; ``parts`` maps a part column to its whole
    (``{"procedural": "departures"}``). Returns the rows as ``Cell``s, same order.
    """
    parts = dict(parts or {})
    hidden = [{c: row[c] < threshold for c in columns} for row in rows]
    # Iterate: complements can hide a cell the column rule then has to cover, and back.
    for _ in range(len(rows) * len(columns) + 1):
        changed = _complements(rows, hidden, parts, threshold)
        changed |= _columns(rows, hidden, columns, threshold)
        if not changed:
            break
    return [
        {c: Cell(None if hidden[i][c] else row[c]) for c in columns} for i, row in enumerate(rows)
    ]


def _complements(
    rows: Sequence[Mapping[str, int]],
    hidden: list[dict[str, bool]],
    parts: Mapping[str, str],
    threshold: int,
) -> bool:
    changed = False
    for i, row in enumerate(rows):
        for part, whole in parts.items():
            if hidden[i][part]:
                continue
            remainder = row[whole] - row[part]
            if hidden[i][whole] or remainder < threshold:
                hidden[i][part] = True
                changed = True
    return changed


def _columns(
    rows: Sequence[Mapping[str, int]],
    hidden: list[dict[str, bool]],
    columns: Sequence[str],
    threshold: int,
) -> bool:
    changed = False
    for column in columns:
        while True:
            hidden_rows = [i for i in range(len(rows)) if hidden[i][column]]
            hidden_sum = sum(rows[i][column] for i in hidden_rows)
            safe = not hidden_rows or (
                len(hidden_rows) >= 2 and (hidden_sum == 0 or hidden_sum >= threshold)
            )
            visible = [i for i in range(len(rows)) if not hidden[i][column]]
            if safe or not visible:
                break
            smallest = min(visible, key=lambda i: (rows[i][column], i))
            hidden[smallest][column] = True
            changed = True
    return changed


def share(part: Cell, whole: Cell) -> int | None:
    """A whole-number percentage; None when either count is hidden (it would give the part
    away) or the whole is zero."""
    if part.value is None or whole.value is None or whole.value == 0:
        return None
    return round(100 * part.value / whole.value)
