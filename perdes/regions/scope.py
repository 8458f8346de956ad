"""The set of regions a user may see, as a value that services turn into a WHERE clause."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, or_, true
from sqlalchemy.orm import InstrumentedAttribute

from perdes.regions.codes import parse_code
from perdes.regions.models import Region, RegionLevel


@dataclass(frozen=True, slots=True)
class Scope:
    """Everything, or a union of regions (provinsi, kabupaten, kecamatan or single villages)."""

    everything: bool = False
    codes: tuple[str, ...] = ()

    @classmethod
    def all(cls) -> Scope:
        return cls(everything=True)

    @classmethod
    def of(cls, *codes: str) -> Scope:
        return cls(codes=tuple(sorted(set(codes))))

    def contains(self, code: str) -> bool:
        """Is the region ``code`` (any level) inside this scope?"""
        if self.everything:
            return True
        return any(code == c or code.startswith(c + ".") for c in self.codes)

    def region_clause(self, region: type[Region] = Region) -> ColumnElement[bool]:
        """A filter on ``region`` rows: the region itself lies inside one of the scope codes.

        Matching uses the stored ancestor columns (indexed, collation-independent) rather than
        a LIKE on the code.
        """
        if self.everything:
            return true()
        if not self.codes:
            return false()
        columns: dict[
            RegionLevel, InstrumentedAttribute[str] | InstrumentedAttribute[str | None]
        ] = {
            RegionLevel.PROVINSI: region.province_code,
            RegionLevel.KABUPATEN: region.regency_code,
            RegionLevel.KECAMATAN: region.district_code,
            RegionLevel.DESA: region.code,
        }
        clauses = [columns[parse_code(c).level] == c for c in self.codes]
        return or_(*clauses)
