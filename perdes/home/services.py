"""What the "Desa saya" home shows per village: step, next deadline, checklist, latest draft.

Reads only stored read models (``adoption.current_stage`` and ``next_deadline_on``,
``checklist_village_total``) and the drafts table, for the villages in the actor's scope.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from perdes.accounts.principal import Principal
from perdes.checklist import registry
from perdes.checklist.models import ChecklistVillageTotal
from perdes.drafting.workspace.models import Draft
from perdes.errors import ValidationFailed
from perdes.regions.models import Region, RegionLevel
from perdes.tracking import deadlines, standing
from perdes.tracking.models import Adoption
from perdes.tracking.stages import PROMULGATED, STAGE_LABELS

# More villages than this are a monitor's job, not a home page.
MAX_VILLAGES = 50


@dataclass(slots=True)
class VillageHome:
    """One village on the home page."""

    region: Region
    district_name: str
    stage_label: str = "Belum mulai"
    stage_on: date | None = None
    promulgated: bool = False
    deadline_on: date | None = None
    deadline_text: str = ""
    deadline_tone: str = ""
    checklist_verified: int = 0
    checklist_total: int = 0
    checklist_score: float | None = None
    qualified: bool = False
    draft_id: int | None = None
    draft_revision: int = 0

    @property
    def overdue(self) -> bool:
        return self.deadline_tone == "bad"


def my_villages(
    session: Session, *, actor: Principal, today: date | None = None
) -> list[VillageHome]:
    """The villages in the actor's scope (at most ``MAX_VILLAGES``), overdue ones first,
    then by name. Empty for an actor whose scope is not a list of villages."""
    actor.require("village.view")
    if actor.scope.everything or not actor.scope.codes:
        return []
    today = today or deadlines.local_today()
    district = Region.__table__.alias("district")
    rows = session.execute(
        select(Region, district.c.name)
        .join(district, district.c.code == Region.district_code, isouter=True)
        .where(Region.level == RegionLevel.DESA, actor.scope.region_clause())
        .order_by(Region.name)
        .limit(MAX_VILLAGES)
    ).all()
    homes = {r.code: VillageHome(region=r, district_name=d or "") for r, d in rows}
    codes = list(homes)
    if not codes:
        return []
    latest = (
        select(func.max(Adoption.id))
        .where(Adoption.village_code.in_(codes), standing.perdes_only())
        .group_by(Adoption.village_code)
    )
    for adoption in session.scalars(select(Adoption).where(Adoption.id.in_(latest))):
        home = homes[adoption.village_code]
        if adoption.current_stage is not None:
            home.stage_label = STAGE_LABELS[adoption.current_stage]
            home.stage_on = adoption.current_stage_on
            home.promulgated = adoption.current_stage in PROMULGATED
        if adoption.next_deadline_on is not None:
            home.deadline_on = adoption.next_deadline_on
            home.deadline_text, home.deadline_tone = deadlines.describe(
                adoption.next_deadline_on, today
            )
    item_counts = {
        row.slug: len(list(registry.parsed(row).items()))
        for row in registry.current_versions(session)
    }
    for total in session.scalars(
        select(ChecklistVillageTotal).where(ChecklistVillageTotal.village_code.in_(codes))
    ):
        home = homes[total.village_code]
        home.checklist_verified += total.verified_count
        home.checklist_total += item_counts.get(total.framework_slug, 0)
        home.checklist_score = total.score
        home.qualified = total.qualified
    for home in homes.values():
        if home.checklist_total == 0:
            home.checklist_total = sum(item_counts.values())
    newest = (
        select(func.max(Draft.id)).where(Draft.village_code.in_(codes)).group_by(Draft.village_code)
    )
    for draft in session.scalars(select(Draft).where(Draft.id.in_(newest))):
        homes[draft.village_code].draft_id = draft.id
        homes[draft.village_code].draft_revision = draft.latest_number
    return sorted(homes.values(), key=lambda h: (not h.overdue, h.region.name))


def scope_labels(session: Session, *, actor: Principal) -> list[str]:
    """The actor's regions in words ("Kabupaten Serang", "Desa Lontar"), not codes."""
    if actor.scope.everything:
        return ["Semua wilayah"]
    codes = list(actor.scope.codes)
    if not codes:
        return []
    rows = {r.code: r for r in session.scalars(select(Region).where(Region.code.in_(codes)))}
    labels = []
    for code in codes:
        region = rows.get(code)
        if region is None:
            labels.append(code)
        else:
            labels.append(display_name(region))
    return labels


def display_name(region: Region) -> str:
    """ "Desa Lontar", "Kecamatan Tirtayasa", "Kabupaten Serang" (a kabupaten's name already
    says Kabupaten or Kota: never "Kabupaten/Kota Kabupaten Serang")."""
    if region.level is RegionLevel.KABUPATEN:
        return region.name
    return f"{region.kind_label} {region.name}"


def monitor_home_code(actor: Principal) -> str | None:
    """Where a monitor's dashboard starts: his one region, or None (Indonesia) otherwise."""
    codes = actor.scope.codes
    if actor.scope.everything or not codes:
        return None
    if len(codes) == 1:
        return codes[0]
    prefix = codes[0]
    for code in codes[1:]:
        while prefix and not (code == prefix or code.startswith(prefix + ".")):
            prefix = prefix.rpartition(".")[0]
    return prefix or None


def draft_values_from_tracker(
    session: Session, *, actor: Principal, village_code: str
) -> dict[str, str]:
    """The Perdes number and dates already recorded in the tracker (latest adoption), as draft
    template variables, so the secretary never types them twice. Empty before enactment."""
    actor.require("adoption.view")
    adoption = session.scalar(
        select(Adoption)
        .join(Region, Region.code == Adoption.village_code)
        .where(
            Adoption.village_code == village_code,
            standing.perdes_only(),
            actor.scope.region_clause(),
        )
        .order_by(Adoption.id.desc())
        .limit(1)
    )
    if adoption is None:
        return {}
    values: dict[str, str] = {}
    if adoption.perdes_number:
        values["nomor"] = adoption.perdes_number
    if adoption.enacted_on is not None:
        values["tahun"] = str(adoption.enacted_on.year)
        values["tanggal_penetapan"] = adoption.enacted_on.isoformat()
    if adoption.promulgated_on is not None:
        values["tanggal_pengundangan"] = adoption.promulgated_on.isoformat()
    if adoption.lembaran_number:
        values["nomor_lembaran"] = adoption.lembaran_number
    return values


def region_names(session: Session, *, codes: list[str]) -> dict[str, str]:
    """Names for region codes ("Desa Lontar"), for pages that list codes (the audit log)."""
    wanted = sorted({c for c in codes if c})
    if not wanted:
        return {}
    rows = session.scalars(select(Region).where(Region.code.in_(wanted)))
    return {r.code: display_name(r) for r in rows}


@dataclass(frozen=True, slots=True)
class RegionChoice:
    """A region as a picker offers it: "Kecamatan Tirtayasa, Kabupaten Serang (36.04.13)"."""

    code: str
    label: str


_CODE_IN_TEXT = re.compile(r"\(?\s*(\d{2}(?:\.\d{2}(?:\.\d{2}(?:\.\d{4})?)?)?)\s*\)?\s*$")


def _label(region: Region, parent_name: str | None) -> str:
    name = (
        region.name
        if region.level is RegionLevel.KABUPATEN
        else f"{region.kind_label} {region.name}"
    )
    if parent_name and region.level is not RegionLevel.PROVINSI:
        name += f", {parent_name}"
    return f"{name} ({region.code})"


def region_choices(session: Session, *, actor: Principal, limit: int = 500) -> list[RegionChoice]:
    """Kabupaten and kecamatan inside the actor's scope, by name, for a picker's suggestions."""
    parent = Region.__table__.alias("parent")
    rows = session.execute(
        select(Region, parent.c.name)
        .join(parent, parent.c.code == Region.parent_code, isouter=True)
        .where(
            Region.level.in_((RegionLevel.KABUPATEN, RegionLevel.KECAMATAN)),
            actor.scope.region_clause(),
        )
        .order_by(Region.level, Region.name)
        .limit(limit)
    ).all()
    return [RegionChoice(r.code, _label(r, p)) for r, p in rows]


def find_region(session: Session, *, actor: Principal, text: str, field: str) -> str:
    """The code of the region the user named: a picked suggestion ("… (36.04.13)"), a code, or
    a name that matches exactly one kabupaten, kecamatan or desa inside the scope.

    Raises ValidationFailed on ``field`` with the candidates when the name is ambiguous."""
    text = " ".join(text.split())[:120]
    if not text:
        raise ValidationFailed({field: "Ketik nama wilayah, lalu pilih dari saran."})
    found = _CODE_IN_TEXT.search(text)
    if found:
        return found.group(1)
    prefix = re.match(r"^(kabupaten|kota|kecamatan|desa|kelurahan)\s+", text, flags=re.I)
    name = text[prefix.end() :] if prefix else text
    levels = {
        "kabupaten": RegionLevel.KABUPATEN,
        "kota": RegionLevel.KABUPATEN,
        "kecamatan": RegionLevel.KECAMATAN,
        "desa": RegionLevel.DESA,
        "kelurahan": RegionLevel.DESA,
    }
    level_clause = (
        Region.level == levels[prefix.group(1).lower()]
        if prefix
        else Region.level != RegionLevel.PROVINSI
    )
    rows = list(
        session.scalars(
            select(Region)
            .where(
                func.lower(Region.name).in_({name.lower(), text.lower()}),
                level_clause,
                actor.scope.region_clause(),
            )
            .order_by(Region.level, Region.code)
            .limit(6)
        )
    )
    if len(rows) == 1:
        return rows[0].code
    if not rows:
        raise ValidationFailed({field: f"Wilayah “{text}” tidak ditemukan di wilayah tugas Anda."})
    options = "; ".join(f"{r.kind_label} {r.name} ({r.code})" for r in rows[:5])
    raise ValidationFailed(
        {field: f"Ada beberapa wilayah bernama “{text}”: {options}. Pilih salah satu."}
    )
