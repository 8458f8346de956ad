"""Import of the Kemendagri ``kode,nama`` CSV: validate every row, then upsert by code."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from perdes import events
from perdes.regions.codes import InvalidCode, ParsedCode, parse_code
from perdes.regions.models import Region, RegionLevel
from perdes.validation import has_control_chars

MAX_NAME_LENGTH = 120
BATCH_SIZE = 5000
LEVEL_ORDER = (RegionLevel.PROVINSI, RegionLevel.KABUPATEN, RegionLevel.KECAMATAN, RegionLevel.DESA)


class ImportFileError(ValueError):
    """The file as a whole cannot be read (encoding, header, separator)."""


@dataclass(frozen=True, slots=True)
class RawRow:
    line: int
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class BadRow:
    line: int
    code: str
    reason: str


@dataclass(slots=True)
class LevelCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(slots=True)
class ImportReport:
    rows_read: int = 0
    bad_rows: list[BadRow] = field(default_factory=list)
    levels: dict[RegionLevel, LevelCounts] = field(
        default_factory=lambda: {level: LevelCounts() for level in LEVEL_ORDER}
    )
    written: bool = False


def read_region_csv(data: bytes) -> list[RawRow]:
    """Decode and split the file; the header must be ``kode`` and ``nama`` (``,`` or ``;``)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"file is not UTF-8 (byte {exc.start}); save it as UTF-8 CSV and try again"
        ) from exc
    header, _, _ = text.partition("\n")
    header = header.strip().lower()
    delimiter = next((d for d in (",", ";") if header == f"kode{d}nama"), None)
    if delimiter is None:
        raise ImportFileError(
            f"first line must be the header 'kode,nama' (or 'kode;nama'); found {header[:60]!r}"
        )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    next(reader)
    rows = []
    for record in reader:
        line = reader.line_num
        if not record or (len(record) == 1 and not record[0].strip()):
            continue
        if len(record) != 2:
            rows.append(RawRow(line=line, code=record[0].strip(), name="\x00fields"))
            continue
        rows.append(RawRow(line=line, code=record[0].strip(), name=record[1].strip()))
    return rows


def _check_row(row: RawRow) -> tuple[ParsedCode | None, str | None]:
    if row.name == "\x00fields":
        return None, "expected exactly 2 columns (kode, nama)"
    try:
        parsed = parse_code(row.code)
    except InvalidCode as exc:
        return None, str(exc)
    if not row.name:
        return None, "empty name"
    if has_control_chars(row.name):
        return None, "name contains control characters"
    if len(row.name) > MAX_NAME_LENGTH:
        return None, f"name longer than {MAX_NAME_LENGTH} characters"
    return parsed, None


def import_regions(
    session: Session,
    rows: Iterable[RawRow],
    *,
    skip_invalid: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Validate all rows, then insert new codes and rename changed ones (idempotent).

    All or nothing: when any row is bad and ``skip_invalid`` is false, nothing is written and
    the report lists every bad row. With ``skip_invalid`` the good rows are written; a row
    whose parent was refused is refused too. The caller owns the transaction.
    """
    report = ImportReport()
    existing: dict[str, str] = {c: n for c, n in session.execute(select(Region.code, Region.name))}
    seen: dict[str, int] = {}
    by_level: dict[RegionLevel, list[tuple[RawRow, ParsedCode]]] = {lv: [] for lv in LEVEL_ORDER}
    for row in rows:
        report.rows_read += 1
        parsed, reason = _check_row(row)
        if parsed is not None and row.code in seen:
            parsed, reason = None, f"duplicate code (first on line {seen[row.code]})"
        if parsed is None:
            report.bad_rows.append(BadRow(row.line, row.code, reason or "invalid"))
            continue
        seen[row.code] = row.line
        by_level[parsed.level].append((row, parsed))

    accepted: set[str] = set(existing)
    plan: list[tuple[RegionLevel, list[dict[str, object]], list[dict[str, object]]]] = []
    for level in LEVEL_ORDER:
        inserts: list[dict[str, object]] = []
        updates: list[dict[str, object]] = []
        counts = report.levels[level]
        for row, parsed in by_level[level]:
            if parsed.parent_code is not None and parsed.parent_code not in accepted:
                report.bad_rows.append(
                    BadRow(
                        row.line, row.code, f"parent {parsed.parent_code} not in file or database"
                    )
                )
                continue
            accepted.add(row.code)
            old_name = existing.get(row.code)
            if old_name is None:
                inserts.append(_values(parsed, row.name))
                counts.inserted += 1
            elif old_name != row.name:
                updates.append({"code": row.code, "name": row.name})
                counts.updated += 1
            else:
                counts.unchanged += 1
        plan.append((level, inserts, updates))
    report.bad_rows.sort(key=lambda b: b.line)
    if report.bad_rows and not skip_invalid:
        report.levels = {level: LevelCounts() for level in LEVEL_ORDER}
        return report

    for _level, inserts, updates in plan:
        for start in range(0, len(inserts), BATCH_SIZE):
            batch = inserts[start : start + BATCH_SIZE]
            session.execute(insert(Region), batch)
            if progress:
                progress(len(batch))
        for start in range(0, len(updates), BATCH_SIZE):
            batch = updates[start : start + BATCH_SIZE]
            session.execute(update(Region), batch)
            if progress:
                progress(len(batch))
    session.flush()
    report.written = True
    districts = {
        str(row["district_code"])
        for _level, inserts, _updates in plan
        for row in inserts
        if row["district_code"]
    }
    events.publish(session, events.Change.REGIONS, *districts)
    return report


def _values(parsed: ParsedCode, name: str) -> dict[str, object]:
    return {
        "code": parsed.code,
        "name": name,
        "level": parsed.level,
        "parent_code": parsed.parent_code,
        "province_code": parsed.province_code,
        "regency_code": parsed.regency_code,
        "district_code": parsed.district_code,
        "village_kind": parsed.village_kind,
    }
