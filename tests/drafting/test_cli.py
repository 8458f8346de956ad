from pathlib import Path

import docx
import pytest
from drafting_support import LONTAR
from typer.testing import CliRunner

from perdes.drafting.cli import app
from perdes.drafting.model import VillageContext

runner = CliRunner()


@pytest.fixture(autouse=True)
def fake_villages(monkeypatch: pytest.MonkeyPatch) -> None:
    def load(code: str) -> VillageContext:
        if code == LONTAR.village_code:
            return LONTAR
        raise LookupError(f"village {code} not found")

    monkeypatch.setattr("perdes.drafting.village.load_village_context", load)


def _render(tmp_path: Path, *args: str) -> tuple[int, str, Path]:
    out = tmp_path / "out.bin"
    result = runner.invoke(
        app,
        [
            "render",
            "--template",
            "pelindungan-pmi",
            "--village",
            LONTAR.village_code,
            "-o",
            str(out),
            *args,
        ],
    )
    return result.exit_code, result.stderr, out


def test_templates_lists_the_pmi_template() -> None:
    result = runner.invoke(app, ["templates"])
    assert result.exit_code == 0
    assert "pelindungan-pmi\t2.0.0\tPelindungan Pekerja Migran Indonesia" in result.stdout


def test_check_template_ok_and_broken(template_copy: Path) -> None:
    ok = runner.invoke(app, ["check-template", str(template_copy)])
    assert ok.exit_code == 0 and "OK" in ok.stdout
    clause_file = template_copy / "batang-tubuh" / "01-ketentuan-umum.txt"
    clause_file.write_text(
        clause_file.read_text() + "PASAL umum.rusak\n{{ salah }}\n", encoding="utf-8"
    )
    bad = runner.invoke(app, ["check-template", str(template_copy)])
    assert bad.exit_code == 1
    assert "batang-tubuh/01-ketentuan-umum.txt:" in bad.stderr and "[umum.rusak]" in bad.stderr
    assert "unknown name 'salah'" in bad.stderr


def test_check_template_dry_run_catches_runtime_reference_errors(tmp_path: Path) -> None:
    from drafting_support import write_template

    folder = write_template(
        tmp_path,
        'BAB a: A\nPASAL a.x [if: t]\nTeks.\nPASAL a.y\nLihat {{ ref("a.x") }}.\n',
        "options:\n  t: {label: T, default: true}\n",
    )
    result = runner.invoke(app, ["check-template", str(folder)])
    assert result.exit_code == 1
    assert "a.y" in result.stderr and "a.x" in result.stderr


@pytest.mark.parametrize("fmt", ["docx", "html", "txt", "akn"])
def test_render_formats(tmp_path: Path, fmt: str) -> None:
    code, err, out = _render(
        tmp_path, "--format", fmt, "--set", "nomor=5", "--option", "lembaga=komunitas"
    )
    assert code == 0, err
    if fmt == "docx":
        texts = [p.text for p in docx.Document(str(out)).paragraphs]
        assert "NOMOR 5 TAHUN" in " ".join(texts)
    else:
        body = out.read_text(encoding="utf-8")
        assert "Komunitas PMI" in body
        if fmt == "html":
            assert body.startswith("<!doctype html>") and 'class="perdes"' in body
        if fmt == "akn":
            assert "<akomaNtoso" in body and "<docNumber>NOMOR 5 TAHUN" in body


def test_render_a4(tmp_path: Path) -> None:
    code, err, out = _render(tmp_path, "--paper", "A4")
    assert code == 0, err
    assert round(docx.Document(str(out)).sections[0].page_height.mm) == 297  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--set", "nama_kepala_desa=Budi\x07"], "nama_kepala_desa: contains control characters"),
        (["--set", "nama_kepala_desa=" + "x" * 10_000], "longer than 100 characters"),
        (["--set", "nama_kepala_desa="], None),  # falls back to the village profile: fine
        (["--set", "tahun=3000"], "tahun: must be between"),
        (["--option", "tidak_ada=on"], "tidak_ada: unknown option"),
        (["--option", "pelaporan_perekrut=off"], "sanksi: option 'sanksi' requires"),
        (["--set", "tanpa-sama-dengan"], "--set must look like name=value"),
        (["--format", "pdf"], "unknown format"),
        (["--paper", "Letter"], "unknown paper"),
    ],
)
def test_bad_input_gives_one_line_and_no_file(
    tmp_path: Path, args: list[str], message: str | None
) -> None:
    code, err, _ = _render(tmp_path, *args)
    if message is None:
        assert code == 0
        return
    assert code != 0
    assert message in err
    assert err.count("\n") == 1 and err.startswith("error: ")
    assert list(tmp_path.iterdir()) == []  # no output, no temp file


def test_unknown_village_and_template(tmp_path: Path) -> None:
    out = tmp_path / "x.docx"
    r = runner.invoke(
        app,
        ["render", "--template", "pelindungan-pmi", "--village", "99.99.99.9999", "-o", str(out)],
    )
    assert r.exit_code != 0 and "village 99.99.99.9999 not found" in r.stderr
    r = runner.invoke(
        app, ["render", "--template", "tidak-ada", "--village", LONTAR.village_code, "-o", str(out)]
    )
    assert r.exit_code != 0 and "template not found" in r.stderr
    assert not out.exists()


def test_existing_file_is_replaced_only_on_success(tmp_path: Path) -> None:
    out = tmp_path / "out.bin"
    out.write_bytes(b"old")
    code, _, _ = _render(tmp_path, "--set", "tahun=3000")
    assert code != 0 and out.read_bytes() == b"old"
    code, _, _ = _render(tmp_path, "--format", "txt")
    assert code == 0 and out.read_text(encoding="utf-8").startswith(
        "RANCANGAN\n\nKEPALA DESA LONTAR"
    )


def test_kind_naskah_is_refused_with_the_list_of_what_to_complete(tmp_path: Path) -> None:
    code, err, out = _render(tmp_path, "--format", "txt", "--kind", "naskah")
    assert code == 1 and not out.exists()
    assert "not ready to sign" in err
    assert "the Perdes number is not filled in" in err
    assert "Mengingat item 4 (uu-6-2014): gazette number missing" in err
    code, err, _ = _render(tmp_path, "--format", "txt", "--kind", "final")
    assert code == 1 and "unknown kind" in err
    code, _, out = _render(tmp_path, "--format", "txt", "--kind", "rancangan")
    assert code == 0 and out.read_text(encoding="utf-8").startswith("RANCANGAN")
