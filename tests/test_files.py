"""Evidence storage: content decides the type, names are generated, duplicates recognised."""

import pytest

from perdes.accounts.principal import Principal
from perdes.errors import ValidationFailed
from perdes.files import display_name, sniff_type, store_upload

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 17
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 20 + b"\xff\xd9"
ACTOR = Principal.system()


@pytest.mark.parametrize(("data", "ext"), [(PDF, "pdf"), (PNG, "png"), (JPEG, "jpg")])
def test_accepted_types_are_recognised_by_content(data, ext):
    assert sniff_type(data) == ext


@pytest.mark.parametrize(
    "data",
    [
        b"MZ\x90\x00" + b"\x00" * 100,  # a Windows executable renamed .pdf
        b"<html><script>alert(1)</script></html>",  # HTML inside a "PDF"
        b"%PDF-1.4 but never ends",
        b"GIF89a" + b"\x00" * 10,
    ],
)
def test_lying_files_are_refused(db, tmp_path, data):
    with pytest.raises(ValidationFailed) as caught:
        store_upload(
            db,
            root=tmp_path,
            data=data,
            filename="laporan.pdf",
            uploaded_by_id=None,
            max_bytes=10**6,
        )
    assert "Jenis berkas tidak diterima" in caught.value.errors["file"]
    assert not any(tmp_path.rglob("*.*"))


def test_empty_and_oversized_files_are_refused(db, tmp_path):
    with pytest.raises(ValidationFailed, match="Periksa"):
        store_upload(
            db, root=tmp_path, data=b"", filename="a.pdf", uploaded_by_id=None, max_bytes=100
        )
    with pytest.raises(ValidationFailed) as caught:
        store_upload(
            db,
            root=tmp_path,
            data=PDF + b" " * 200,
            filename="a.pdf",
            uploaded_by_id=None,
            max_bytes=100,
        )
    assert "terlalu besar" in caught.value.errors["file"]


def test_stored_under_a_generated_name_and_deduplicated(db, tmp_path):
    record, dup = store_upload(
        db,
        root=tmp_path,
        data=PDF,
        filename="../../etc/passwd.pdf",
        uploaded_by_id=None,
        max_bytes=10**6,
    )
    assert not dup and record.original_name == "passwd.pdf"
    assert record.storage_name == f"{record.sha256[:2]}/{record.sha256}.pdf"
    assert (tmp_path / record.storage_name).read_bytes() == PDF
    again, dup = store_upload(
        db, root=tmp_path, data=PDF, filename="lain.pdf", uploaded_by_id=None, max_bytes=10**6
    )
    assert dup and again.id == record.id


def test_display_names_are_harmless():
    assert display_name('C:\\Users\\a\\<script>"x".exe', "png") == "scriptx.png"
    assert display_name("\x00\x01", "pdf") == "berkas.pdf"
    assert len(display_name("a" * 500 + ".pdf", "pdf")) == 104
