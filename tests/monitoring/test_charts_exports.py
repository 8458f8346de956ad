"""SVG charts and CSV/XLSX exports (pure functions)."""

import io
from datetime import date
from xml.etree import ElementTree

from openpyxl import load_workbook

from perdes.monitoring.charts import Bar, Series, bar_chart, line_chart
from perdes.monitoring.exports import csv_stream, xlsx_stream

SVG = "{http://www.w3.org/2000/svg}"


def test_bar_chart_is_accessible_svg_with_every_label_and_value():
    bars = [Bar("Belum mulai", 1200), Bar("Penyusunan", 300), Bar("Diundangkan <b>", 0)]
    svg = bar_chart(bars, title="Tahapan desa", description="Jumlah desa per tahap", chart_id="f1")
    root = ElementTree.fromstring(svg)
    assert root.get("role") == "img" and root.get("aria-labelledby") == "f1-t f1-d"
    assert root.find(f"{SVG}title").text == "Tahapan desa"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "1.200" in texts and "Diundangkan <b>" in texts and "0" in texts
    widths = [float(r.get("width")) for r in root.iter(f"{SVG}rect")]
    assert widths[0] > widths[1] > widths[2]


def test_line_chart_draws_one_line_per_series_over_dates():
    series = [
        Series("Diundangkan", [(date(2026, 1, 5), 1), (date(2026, 2, 5), 4)]),
        Series("Mulai", [(date(2026, 1, 5), 3), (date(2026, 2, 5), 9)]),
    ]
    svg = line_chart(series, title="Kemajuan", description="Per minggu", chart_id="l1")
    root = ElementTree.fromstring(svg)
    assert len(list(root.iter(f"{SVG}polyline"))) == 2
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert {"2026-01-05", "2026-02-05", "Diundangkan", "Mulai", "9"} <= set(texts)


def test_empty_charts_are_still_valid_svg():
    ElementTree.fromstring(bar_chart([], title="t", description="d", chart_id="e"))
    ElementTree.fromstring(line_chart([], title="t", description="d", chart_id="e2"))


def test_csv_has_bom_header_rows_and_neutralised_formulas():
    rows = [["36.04.13.2007", "Lontar", 5], ["36.04.13.2008", '=HYPERLINK("x")', 0]]
    data = b"".join(csv_stream(["kode", "nama", "n"], rows)).decode("utf-8")
    assert data.startswith("\ufeffkode,nama,n\r\n36.04.13.2007,Lontar,5\r\n")
    assert "'=HYPERLINK" in data


def test_xlsx_reopens_with_the_same_cells():
    rows = [["36.04.13.2007", "Lontar", 5, date(2026, 11, 27)]] * 3
    data = b"".join(xlsx_stream(["kode", "nama", "n", "tanggal"], rows, sheet_title="Desa"))
    sheet = load_workbook(io.BytesIO(data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("kode", "nama", "n", "tanggal")
    assert values[1][:3] == ("36.04.13.2007", "Lontar", 5) and len(values) == 4


def test_long_labels_are_shortened_on_the_bar_but_kept_whole_in_its_title():
    label = "Diundangkan dalam Lembaran Desa"
    root = ElementTree.fromstring(
        bar_chart([Bar(label, 3)], title="t", description="d", chart_id="x")
    )
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert any(t.endswith("…") and label.startswith(t[:-1]) for t in texts)
    titles = [t.text for t in root.iter(f"{SVG}title")]
    assert f"{label}: 3" in titles
