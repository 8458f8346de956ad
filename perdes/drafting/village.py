"""The drafting context of a village, from the region registry and the village profile."""

from __future__ import annotations

from sqlalchemy.orm import Session

from perdes.config import Settings
from perdes.db import engine_from_settings, make_session_factory, session_scope
from perdes.drafting.model import VillageContext
from perdes.errors import NotFound
from perdes.regions.scope import Scope
from perdes.regions.services import VillageView, get_village


def context_from_view(view: VillageView) -> VillageContext:
    """Plain data for the assembler: names, local terms, officials, PMI counts."""
    p = view.profile
    return VillageContext(
        desa_name=view.region.name,
        kecamatan_name=view.district.name,
        kabupaten_name=view.regency.name,
        provinsi_name=view.province.name,
        village_code=view.region.code,
        sebutan_desa=p.sebutan_desa,
        sebutan_kepala_desa=p.sebutan_kepala_desa,
        sebutan_bpd=p.sebutan_bpd,
        jenis_peraturan=p.jenis_peraturan,
        singkatan_bpd=p.singkatan_bpd,
        sebutan_kecamatan=p.sebutan_kecamatan,
        sebutan_camat=p.sebutan_camat,
        kepala_desa_name=p.kepala_desa_name,
        sekretaris_desa_name=p.sekretaris_desa_name,
        ketua_bpd_name=p.ketua_bpd_name,
        active_pmi_count=p.pmi_active_count,
        returned_pmi_count=p.pmi_returned_count,
    )


def village_context(session: Session, *, code: str, scope: Scope) -> VillageContext:
    """The context of a village inside ``scope``; NotFound otherwise."""
    return context_from_view(get_village(session, code=code, scope=scope))


def load_village_context(code: str) -> VillageContext:
    """The drafting context of the village ``code`` in the database of PERDES_DATABASE_URL.

    Raises ``LookupError`` when there is no such village (the CLI turns it into a message).
    """
    factory = make_session_factory(engine_from_settings(Settings()))
    try:
        with session_scope(factory) as session:
            return village_context(session, code=code, scope=Scope.all())
    except NotFound as exc:
        raise LookupError(f"village {code} not found") from exc
