"""Issue 21 point 7: the qualification never reads as an official designation."""

from pathlib import Path

from perdes.monitoring.indicators import INDICATORS

ROOT = Path(__file__).resolve().parents[2]


def test_no_page_or_indicator_says_memenuhi_syarat():
    pages = [
        p
        for p in (ROOT / "templates").rglob("*.html")
        if "perdes" not in p.relative_to(ROOT / "templates").parts  # legal text of the Perdes
    ]
    assert pages
    offending = [str(p) for p in pages if "memenuhi syarat" in p.read_text().lower()]
    assert offending == []
    label = INDICATORS["memenuhi"].label
    assert "butir wajib" in label and "syarat" not in label
