"""One list of the words the pages use for the app's things, so every page says the same.

Templates read them as ``glossary.<key>``. Change a word here, not in a template.
"""

from __future__ import annotations

from types import MappingProxyType

TERMS: MappingProxyType[str, str] = MappingProxyType(
    {
        # the three things a village works on
        "draft": "Rancangan Perdes",
        "tracker": "Tahapan Perdes",
        "checklist": "Ceklis Desa PMI Prosedural",
        "checklist_short": "Ceklis",
        # documents
        "word": "Word",
        "word_comments": "Word dengan komentar",
        "print": "Cetak",
        # monitoring
        "monitoring": "Pemantauan",
        "funnel": "Sebaran desa per tahapan",
        "target_list": "Daftar sasaran",
        "snapshot": "Catat kemajuan hari ini",
        "weight": "bobot",
        "weight_help": "bobot = seberapa besar butir ini dihitung dalam skor (0–100)",
        "verification": "Verifikasi",
        # people
        "system": "Sistem (perintah server)",
        "password_change": "Ganti kata sandi",
    }
)


class Glossary:
    """Attribute access for templates: ``glossary.checklist``; an unknown key is an error."""

    def __getattr__(self, key: str) -> str:
        try:
            return TERMS[key]
        except KeyError:
            raise AttributeError(f"no glossary term {key!r}") from None

    def __getitem__(self, key: str) -> str:
        return TERMS[key]


GLOSSARY = Glossary()
