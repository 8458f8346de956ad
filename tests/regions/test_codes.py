import pytest

from perdes.regions.codes import InvalidCode, normalise_code, parse_code
from perdes.regions.models import RegionLevel, VillageKind


@pytest.mark.parametrize(
    ("code", "level", "parent", "kind"),
    [
        ("36", RegionLevel.PROVINSI, None, None),
        ("36.04", RegionLevel.KABUPATEN, "36", None),
        ("36.04.13", RegionLevel.KECAMATAN, "36.04", None),
        ("36.04.13.2007", RegionLevel.DESA, "36.04.13", VillageKind.DESA),
        ("36.71.01.1001", RegionLevel.DESA, "36.71.01", VillageKind.KELURAHAN),
        ("91.03.01.3001", RegionLevel.DESA, "91.03.01", VillageKind.DESA_ADAT),
    ],
)
def test_parse_code_levels_parents_and_kinds(code, level, parent, kind):
    parsed = parse_code(code)
    assert (parsed.level, parsed.parent_code, parsed.village_kind) == (level, parent, kind)
    assert parsed.province_code == code[:2]


@pytest.mark.parametrize(
    "code", ["", "3", "360", "36.4", "36.04.13.207", "36.04.13.4007", "36-04", "36.00", " 36", "٣٦"]
)
def test_bad_codes_are_refused(code):
    with pytest.raises(InvalidCode):
        parse_code(code)


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("3604", "36.04"),
        (" 36 04 ", "36.04"),
        ("360413", "36.04.13"),
        ("3604132007", "36.04.13.2007"),
        ("36.04.13.2007\t", "36.04.13.2007"),
        ("36", "36"),
        ("12345", "12345"),  # no code has five digits: left for the caller to refuse
        ("Desa Lontar", "Desa Lontar"),
        ("٣٦٠٤", "٣٦٠٤"),  # Arabic-Indic digits are not a Kemendagri code
        ("", ""),
    ],
)
def test_codes_typed_without_dots_get_them(typed, code):
    assert normalise_code(typed) == code
