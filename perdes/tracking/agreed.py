"""The text the BPD agreed: which draft revision a "disepakati" step names, whether the draft
changed since, the Perdes number and dates the tracker holds for that text, and the signed
scan uploaded at "diundangkan" (the official text)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, aliased

from perdes.drafting.workspace.models import Draft, DraftRevision
from perdes.tracking.models import Adoption, AdoptionEventFile
from perdes.tracking.queries import AnyAdoption, TimelineEntry, effective_steps
from perdes.tracking.records import EventFileRecord
from perdes.tracking.stages import Stage

DIFFERS = "berbeda dari naskah yang disepakati"


@dataclass(frozen=True, slots=True)
class AgreedText:
    """The revision an adoption's "disepakati" step names, and what followed."""

    adoption: AnyAdoption
    draft: Draft
    revision: DraftRevision
    latest_number: int
    differs: bool  # a later revision of the draft has other text
    official: AdoptionEventFile | EventFileRecord | None  # the signed scan of "diundangkan"

    @property
    def signing_values(self) -> dict[str, str]:
        """The Perdes number and dates recorded in the tracker, as template variables."""
        a = self.adoption
        values: dict[str, str] = {}
        if a.perdes_number:
            values["nomor"] = a.perdes_number
        if a.enacted_on is not None:
            values["tahun"] = str(a.enacted_on.year)
            values["tanggal_penetapan"] = a.enacted_on.isoformat()
        if a.promulgated_on is not None:
            values["tanggal_pengundangan"] = a.promulgated_on.isoformat()
        if a.lembaran_number:
            values["nomor_lembaran"] = a.lembaran_number
        return values


def _entry(timeline: list[TimelineEntry], stage: Stage) -> TimelineEntry | None:
    found = [e for e in timeline if e.event.stage is stage and e.step is not None]
    return found[-1] if found else None


def agreed_revision_id(timeline: list[TimelineEntry]) -> int | None:
    """The revision the effective "disepakati" step names (a correction may name another)."""
    entry = _entry(timeline, Stage.DISEPAKATI)
    if entry is None:
        return None
    for event in reversed([*entry.corrections, entry.event]):
        if event.draft_revision_id is not None:
            return event.draft_revision_id
    return None


def official_scan(timeline: list[TimelineEntry]) -> AdoptionEventFile | EventFileRecord | None:
    """The first file attached to the effective "diundangkan" step."""
    entry = _entry(timeline, Stage.DIUNDANGKAN)
    if entry is None or not entry.event.file_links:
        return None
    return entry.event.file_links[0]


_LATEST = aliased(DraftRevision)
# Built once: the revision a step names, its draft and the draft's latest revision, one row.
_AGREED = (
    select(DraftRevision, Draft, _LATEST)
    .join(Draft, Draft.id == DraftRevision.draft_id)
    .outerjoin(_LATEST, (_LATEST.draft_id == Draft.id) & (_LATEST.number == Draft.latest_number))
    .where(DraftRevision.id == bindparam("revision_id"))
)


def agreed_text(
    session: Session, adoption: AnyAdoption, *, timeline: list[TimelineEntry] | None = None
) -> AgreedText | None:
    """What the adoption's BPD agreed, or None when no step names a revision. The caller
    has already checked the actor may see the adoption. ``timeline``: the adoption's, if the
    caller has it (``effective_steps``)."""
    if timeline is None:
        _, timeline = effective_steps(adoption)
    revision_id = agreed_revision_id(timeline)
    if revision_id is None:
        return None
    found = session.execute(_AGREED, {"revision_id": revision_id}).first()
    if found is None:
        return None
    revision, draft, latest = found
    if draft.village_code != adoption.village_code:
        return None
    differs = (
        latest is not None
        and latest is not revision
        and (latest.sections != revision.sections or latest.edits != revision.edits)
    )
    return AgreedText(
        adoption=adoption,
        draft=draft,
        revision=revision,
        latest_number=draft.latest_number,
        differs=differs,
        official=official_scan(timeline),
    )


def agreement_of_draft(session: Session, *, draft: Draft) -> AgreedText | None:
    """The newest adoption of the draft's village whose agreed revision is one of this
    draft's (None before "disepakati"). The caller has checked access to the draft."""
    rows = session.scalars(
        select(Adoption)
        .where(Adoption.village_code == draft.village_code)
        .order_by(Adoption.id.desc())
    )
    for adoption in rows:
        found = agreed_text(session, adoption)
        if found is not None and found.draft.id == draft.id:
            return found
    return None


def default_agreed_revision(session: Session, *, village_code: str) -> int | None:
    """The revision marked as sent to the BPD on the village's newest draft that has one."""
    row = session.execute(
        select(DraftRevision.id)
        .join(Draft, Draft.id == DraftRevision.draft_id)
        .where(
            Draft.village_code == village_code,
            Draft.bpd_number.is_not(None),
            DraftRevision.number == Draft.bpd_number,
        )
        .order_by(Draft.id.desc())
        .limit(1)
    ).first()
    return row[0] if row else None


@dataclass(frozen=True, slots=True)
class RevisionChoice:
    """A revision the "disepakati" form offers."""

    id: int
    label: str


REVISIONS_OFFERED = 200


def revision_offer(
    session: Session, *, village_code: str
) -> tuple[list[RevisionChoice], int | None]:
    """What the "disepakati" form offers: the revisions of the village's drafts, newest first
    (drafts newest first), and the one it preselects (``default_agreed_revision``), read with
    one statement. The preselected one is the first
    revision offered that its draft marks as sent to the BPD; only when the village has more
    revisions than are offered and none of those is marked is it looked up apart."""
    rows = session.execute(
        select(DraftRevision.id, DraftRevision.number, Draft.id, Draft.bpd_number)
        .join(Draft, Draft.id == DraftRevision.draft_id)
        .where(Draft.village_code == village_code)
        .order_by(Draft.id.desc(), DraftRevision.number.desc())
        .limit(REVISIONS_OFFERED)
    ).all()
    out: list[RevisionChoice] = []
    default: int | None = None
    for rid, number, draft_id, bpd in rows:
        sent = bpd == number
        if sent and default is None:
            default = rid
        mark = " — diajukan ke BPD" if sent else ""
        out.append(RevisionChoice(rid, f"Rancangan #{draft_id}, revisi {number}{mark}"))
    if default is None and len(rows) == REVISIONS_OFFERED:
        default = default_agreed_revision(session, village_code=village_code)
    return out, default
