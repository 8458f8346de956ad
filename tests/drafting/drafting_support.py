"""Shared data and helpers for the drafting tests (imported by test modules)."""

from __future__ import annotations

import shutil
import textwrap
from datetime import date
from pathlib import Path

from perdes.drafting.model import VillageContext
from perdes.drafting.paths import templates_root

TODAY = date(2026, 11, 27)
LONTAR = VillageContext(
    desa_name="Lontar",
    kecamatan_name="Tirtayasa",
    kabupaten_name="Kabupaten Serang",
    provinsi_name="Banten",
    village_code="36.04.13.2007",
    kepala_desa_name="Junali Abdullah",
    sekretaris_desa_name="Siti Rohmah",
    ketua_bpd_name="Ahmad Fauzi",
    active_pmi_count=412,
    returned_pmi_count=1130,
)
NAGARI = VillageContext(
    desa_name="Sungai Pua",
    kecamatan_name="Sungai Pua",
    kabupaten_name="Kabupaten Agam",
    provinsi_name="Sumatera Barat",
    village_code="13.06.07.2001",
    sebutan_desa="Nagari",
    sebutan_kepala_desa="Wali Nagari",
    sebutan_bpd="Badan Permusyawaratan Nagari",
    kepala_desa_name="Rahmat",
    sekretaris_desa_name="Yusuf",
)
# Villages whose local terms come from templates/perdes/local-forms.yaml (no profile
# overrides): a gampong in Aceh, a nagari in Sumatera Barat, a desa in a kota.
GAMPONG = VillageContext(
    desa_name="Keude Bakongan",
    kecamatan_name="Bakongan",
    kabupaten_name="Kabupaten Aceh Selatan",
    provinsi_name="Aceh",
    village_code="11.01.01.2001",
    kepala_desa_name="Teuku Ridwan",
    sekretaris_desa_name="Cut Aminah",
)
NAGARI_TIKU = VillageContext(
    desa_name="Tiku Selatan",
    kecamatan_name="Tanjung Mutiara",
    kabupaten_name="Kabupaten Agam",
    provinsi_name="Sumatera Barat",
    village_code="13.06.01.2001",
    kepala_desa_name="Rahmat",
    sekretaris_desa_name="Yusuf",
)
DESA_KOTA = VillageContext(
    desa_name="Sumberejo",
    kecamatan_name="Batu",
    kabupaten_name="Kota Batu",
    provinsi_name="Jawa Timur",
    village_code="35.79.01.2005",
    kepala_desa_name="Suparno",
    sekretaris_desa_name="Wahyuni",
)
GOLDEN_VALUES: dict[str, object] = {
    "nomor": "3",
    "tahun": 2026,
    "tanggal_penetapan": "2026-11-20",
    "tanggal_pengundangan": "2026-11-21",
    "nomor_lembaran": "3",
}
TEMPLATE_DIR = templates_root() / "pelindungan-pmi"


def write_template(tmp_path: Path, clauses: str, manifest_extra: str = "") -> Path:
    """A minimal template folder: one clause file, two menimbang items, two citations."""
    root = tmp_path / "perdes"
    folder = root / "mini"
    folder.mkdir(parents=True)
    shutil.copy(templates_root() / "citations.yaml", root / "citations.yaml")
    manifest = textwrap.dedent(
        """\
        slug: mini
        title: Contoh
        version: "0.1"
        description: Templat uji.
        judul: Contoh Pengaturan
        menimbang:
          - bahwa satu
          - bahwa dua
        mengingat: [uu-18-2017, uu-6-2014]
        clauses: [isi.txt]
        """
    )
    (folder / "manifest.yaml").write_text(
        manifest + textwrap.dedent(manifest_extra), encoding="utf-8"
    )
    (folder / "isi.txt").write_text(textwrap.dedent(clauses), encoding="utf-8")
    return folder
