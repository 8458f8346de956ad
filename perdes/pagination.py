"""A page of results, shared by every list."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

T = TypeVar("T")
# Long lists count at most this many rows and show "1.000+": counting every village of the
# country on each page view costs more than the page itself.
COUNT_CAP = 1000


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int
    capped: bool = False  # there are more than ``total`` rows

    @property
    def pages(self) -> int:
        pages = max(1, math.ceil(self.total / self.per_page))
        return max(pages, self.page) if self.capped else pages

    @property
    def has_next(self) -> bool:
        if self.capped and len(self.items) == self.per_page:
            return True
        return self.page < self.pages

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def count_statement(rows: Select[Any], *, cap: int | None = None) -> Select[int]:
    """The statement counting what ``rows`` yields, no further than ``cap`` + 1 rows."""
    if cap is None:
        return select(func.count()).select_from(rows.subquery())
    return select(func.count()).select_from(rows.limit(cap + 1).subquery())


def capped_count(
    session: Session | Connection, count: Select[int], *, cap: int | None
) -> tuple[int, bool]:
    """Run a ``count_statement``: (rows, False), or (cap, True) when there are more."""
    number = session.scalar(count) or 0
    if cap is None:
        return number, False
    return min(number, cap), number > cap


def count_rows(session: Session, rows: Select[Any], *, cap: int | None = None) -> tuple[int, bool]:
    """How many rows ``rows`` yields, counting no further than ``cap`` (then: cap, True)."""
    return capped_count(session, count_statement(rows, cap=cap), cap=cap)
