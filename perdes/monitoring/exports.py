"""CSV and XLSX exports of a table, streamed so that national scopes stay within memory."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from perdes.validation import has_control_chars

CHUNK = 64 * 1024


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime | date | int | float):
        return value
    text = str(value)
    if has_control_chars(text, multiline=True):
        text = "".join(ch for ch in text if ch.isprintable() or ch in "\n\t")
    if text[:1] in ("=", "+", "-", "@"):
        text = "'" + text  # never let a spreadsheet run a cell as a formula
    return text


def csv_stream(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """UTF-8 CSV with a BOM (Excel opens it with the right encoding), yielded in chunks."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
        if buffer.tell() > CHUNK:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def xlsx_stream(
    header: Sequence[str], rows: Iterable[Sequence[Any]], *, sheet_title: str = "Data"
) -> Iterator[bytes]:
    """An XLSX built with openpyxl's write-only mode into a temporary file, then streamed."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    bold_header = []
    for name in header:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        bold_header.append(cell)
    sheet.append(bold_header)
    for row in rows:
        sheet.append([_cell(v) for v in row])
    with tempfile.TemporaryFile() as fh:
        workbook.save(fh)
        fh.seek(0)
        while chunk := fh.read(CHUNK):
            yield chunk
