"""The direct XLSX writer: openpyxl reopens it with the same values, types and a bold header."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime

from openpyxl import load_workbook

from perdes.monitoring.exports import xlsx_stream


def reopen(data: bytes):  # type: ignore[no-untyped-def]
    return load_workbook(io.BytesIO(data)).active


def test_values_types_escaping_and_formulas():
    rows = [
        ("36.04.13.2007", "Lontar & <Tirtayasa>", 5, 55.5, date(2026, 11, 27), True),
        (
            "36.04.13.2008",
            '=HYPERLINK("x")',
            0,
            None,
            datetime(2026, 1, 5, 10, 30, tzinfo=UTC),
            False,
        ),
        ("36.04.13.2009", "  spasi  ", -1, 0.0, None, ""),
    ]
    data = b"".join(
        xlsx_stream(["Kode", "Nama", "N", "Skor", "Tanggal", "Ya"], rows, sheet_title="Desa: [x]")
    )
    sheet = reopen(data)
    assert sheet.title == "Desa x"
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("Kode", "Nama", "N", "Skor", "Tanggal", "Ya")
    assert sheet["A1"].font.b and not sheet["A2"].font.b
    assert values[1] == (
        "36.04.13.2007",
        "Lontar & <Tirtayasa>",
        5,
        55.5,
        datetime(2026, 11, 27),
        "Ya",
    )
    assert values[2][1] == '\'=HYPERLINK("x")'
    assert values[2][4] == datetime(2026, 1, 5, 10, 30)
    assert values[3][:4] == ("36.04.13.2009", "  spasi  ", -1, 0.0)
    assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None


def test_empty_table_and_control_characters():
    data = b"".join(xlsx_stream(["Kode"], []))
    assert list(reopen(data).iter_rows(values_only=True)) == [("Kode",)]
    data = b"".join(xlsx_stream(["Nama"], [("a\x01b\x0bc",)]))
    assert list(reopen(data).iter_rows(values_only=True))[1] == ("abc",)


def test_many_rows_stream_in_chunks():
    rows = ((f"36.04.13.{2000 + i}", f"Desa {i}", i) for i in range(20_000))
    chunks = list(xlsx_stream(["Kode", "Nama", "N"], rows))
    assert len(chunks) > 1
    sheet = load_workbook(io.BytesIO(b"".join(chunks)), read_only=True).active
    assert sum(1 for _ in sheet.iter_rows(values_only=True)) == 20_001
