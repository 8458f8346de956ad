"""Property tests over random option sets and values of the real template."""

import io
import re

import docx
import pytest
from drafting_support import LONTAR, NAGARI, TODAY
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perdes.drafting.assembler import assemble
from perdes.drafting.errors import DraftInputError
from perdes.drafting.loader import load_template
from perdes.drafting.model import Ayat, Document
from perdes.drafting.render_docx import render_docx
from perdes.drafting.render_html import render_html
from perdes.drafting.render_text import pasal_texts, render_text
from perdes.drafting.words import join_id, roman

TEMPLATE = load_template("pelindungan-pmi")
REF = re.compile(r"Pasal (\d+)(?: ayat \((\d+)\))?")
SAME_PASAL_REF = re.compile(r"pada ayat \((\d+)\)")

safe_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="{}%#"),
    min_size=1,
    max_size=60,
).filter(lambda s: s.strip() != "")


@st.composite
def option_sets(draw: st.DrawFn) -> dict[str, bool | str]:
    out: dict[str, bool | str] = {}
    for name, spec in TEMPLATE.options.items():
        if draw(st.booleans()):  # leave some at their defaults
            continue
        out[name] = (
            draw(st.sampled_from(sorted(spec.choices)))
            if spec.type == "choice"
            else draw(st.booleans())
        )
    return out


value_sets = st.fixed_dictionaries(
    {},
    optional={
        "nama_kepala_desa": safe_text,
        "nama_lembaga": safe_text,
        "singkatan_lembaga": st.text(
            alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ ", min_size=2, max_size=20
        ).filter(str.strip),
        "batas_lapor_hari": st.integers(1, 30),
        "batas_perkades_bulan": st.integers(1, 12),
        "periode_laporan": st.sampled_from(["semester", "tahunan"]),
        "tahun": st.integers(2014, TODAY.year + 1),
        "nomor": st.from_regex(r"[0-9]{1,3}", fullmatch=True),
    },
)


def _check_document(doc: Document) -> None:
    assert [b.label for b in doc.babs] == [f"BAB {roman(i)}" for i in range(1, len(doc.babs) + 1)]
    pasal = doc.all_pasal()
    assert [p.number for p in pasal] == list(range(1, len(pasal) + 1))
    ayat_count = {}
    for p in pasal:
        numbers = [b.number for b in p.blocks if isinstance(b, Ayat)]
        assert numbers == list(range(1, len(numbers) + 1))
        ayat_count[p.number] = len(numbers)
    for p, (_, _, text) in zip(pasal, pasal_texts(doc), strict=True):
        for m in REF.finditer(text):
            number, ayat = int(m.group(1)), m.group(2)
            assert number in ayat_count, m.group(0)
            if ayat is not None:
                assert 1 <= int(ayat) <= ayat_count[number], m.group(0)
        for m in SAME_PASAL_REF.finditer(text):
            assert 1 <= int(m.group(1)) <= ayat_count[p.number], (p.label, m.group(0))
    letters = [label.rstrip(".") for label, _ in doc.menimbang]
    cited = join_id([f"huruf {x}" for x in letters[:-1]])
    assert f"sebagaimana dimaksud dalam {cited}, perlu menetapkan" in doc.menimbang[-1][1]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(options=option_sets(), values=value_sets, nagari=st.booleans())
def test_any_valid_input_gives_a_consistent_document(
    options: dict[str, bool | str], values: dict[str, object], nagari: bool
) -> None:
    try:
        doc = assemble(
            TEMPLATE,
            village=NAGARI if nagari else LONTAR,
            values=values,
            options=options,
            today=TODAY,
        )
    except DraftInputError as exc:
        # the only refusal possible here is the declared dependency
        assert options.get("sanksi", True) is True and options.get("pelaporan_perekrut") is False
        assert set(exc.errors) == {"sanksi"}
        return
    _check_document(doc)
    text, html = render_text(doc), render_html(doc)
    for out in (text, html):
        assert "{{" not in out and "{%" not in out
    opened = docx.Document(io.BytesIO(render_docx(doc)))
    paragraphs = [p.text for p in opened.paragraphs]
    assert "{{" not in "".join(paragraphs)
    assert paragraphs[0] == doc.header.jabatan
    assert f"Pasal {len(doc.all_pasal())}" in paragraphs


@pytest.mark.parametrize("lembaga", ["satgas", "komunitas"])
def test_all_options_off_and_on(lembaga: str) -> None:
    bools = [n for n, o in TEMPLATE.options.items() if o.type == "bool"]
    for flag in (False, True):
        options: dict[str, bool | str] = {**dict.fromkeys(bools, flag), "lembaga": lembaga}
        _check_document(assemble(TEMPLATE, village=LONTAR, values={}, options=options, today=TODAY))
