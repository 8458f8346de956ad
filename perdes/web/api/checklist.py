"""A village's checklists (items, answers, verification, score) and answering an item."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path
from fastapi.responses import JSONResponse
from pydantic import BaseModel, BeforeValidator, Field

from perdes.accounts.principal import Principal
from perdes.checklist import services as checklist
from perdes.checklist import validity, views
from perdes.checklist.figures import MAX_DEPARTURES, OutcomeCheck
from perdes.checklist.store import StaleAnswer
from perdes.checklist.views import AssessmentView, ItemView
from perdes.web.api.common import (
    NO_CONTROL,
    PREFIX,
    RequestModel,
    VillageCode,
    integral,
    limit_body,
    operation_id,
)
from perdes.web.api.errors import READ, WRITE, api_error_response, responses
from perdes.web.deps import DB
from perdes.web.permissions import requires

router = APIRouter(prefix=PREFIX, tags=["checklist"], generate_unique_id_function=operation_id)

Viewer = Annotated[Principal, Depends(requires("checklist.view"))]
Answerer = Annotated[Principal, Depends(requires("checklist.answer"))]
Slug = Annotated[
    str,
    Path(
        pattern=r"^[a-z0-9][a-z0-9-]{0,59}$",
        description="Framework slug.",
        examples=["desa-pmi-prosedural"],
    ),
]
ItemKey = Annotated[
    str,
    Path(
        pattern=r"^[a-z0-9][a-z0-9_.-]{0,59}$",
        description="Item id.",
        examples=["satgas-komunitas-pmi"],
    ),
]
Status = Literal["belum", "dalam_proses", "terpenuhi", "tidak_berlaku"]
FigureName = Literal["known", "matched", "followed_up", "budget_year"]
# strict models (RequestModel): whole numbers only, no text, floats or booleans
# Whole numbers as JSON Schema counts them (430.0 too); strings and booleans stay refused.
Count = Annotated[int, Field(ge=0, le=MAX_DEPARTURES), BeforeValidator(integral)]
Version = Annotated[int, Field(ge=0, le=2**31 - 1), BeforeValidator(integral)]


class BasisOut(BaseModel):
    fact: str = Field(description="The register fact the status was derived from.")
    counts: dict[str, int | str] = Field(
        description=(
            "The register's counts it was judged on (never names). Exact for the village's"
            ' own register officers; for everyone else a count under 5 is "< 5".'
        )
    )
    as_of: date = Field(description="The day the counts were computed (unchanged since).")


class ItemOut(BaseModel):
    id: str
    pillar: str
    title: str
    mandatory: bool
    weight: float
    derived: bool = Field(description="Set automatically from other data; only notes are yours.")
    register_basis: BasisOut | None = Field(
        description="Derived from the village's PMI register (it keeps one): the counts and "
        "their date. Such an item counts only once a monitor verified (countersigned) it; "
        "null when the item is answered by hand or set by another rule."
    )
    status: Status
    verification: Literal["belum", "menunggu", "diverifikasi", "ditolak"]
    note: str
    not_applicable_reason: str
    rejection_reason: str
    submitted_at: datetime | None
    verified_at: datetime | None
    expired: bool = Field(
        description="Verified, but its validity period is over ('perlu diperbarui'): it does "
        "not count towards the score or the qualification until renewed."
    )
    valid_until: date | None = Field(
        description="Last day a verified answer counts; null when it never expires."
    )
    evidence_count: int
    figures: dict[str, int] = Field(
        description="The answer's numbers: on the outcome item `known`, `matched`, "
        "`followed_up` (departures in the last 12 months, those matched with BP3MI's data, "
        "unmatched ones reported and followed up); on a budget item `budget_year`."
    )
    outcome_met: bool | None = Field(
        description="Outcome item only: whether the counts meet the kabupaten/kota threshold "
        "or the 'every unmatched departure reported' rule; null for other items or while a "
        "count is missing."
    )
    version: int = Field(
        description="The answer's version (0: never answered); send it back as "
        "`expected_version` so that a save over someone else's newer one is refused (409)."
    )


class ChecklistOut(BaseModel):
    framework: str
    version: int
    title: str
    score: float | None = Field(description="0-100; weighted share of verified items.")
    qualified: bool = Field(
        description=(
            "'Memenuhi butir wajib (instrumen usulan)': every mandatory item of this proposed "
            "instrument is verified and within its validity period. Not an official designation."
        )
    )
    mandatory_missing: list[str]
    items: list[ItemOut]


class AnswerIn(RequestModel):
    """The village's answer; 'terpenuhi' and 'tidak_berlaku' go to the monitor for review."""

    status: Status
    note: str = Field(default="", max_length=2000, pattern=NO_CONTROL)
    not_applicable_reason: str = Field(
        default="",
        max_length=1000,
        pattern=NO_CONTROL,
        description="Required with 'tidak_berlaku' (not allowed on mandatory items).",
    )
    figures: dict[FigureName, Count] = Field(
        default_factory=dict,
        description="Numbers of the item: `known`, `matched`, `followed_up` on the outcome "
        "item (all three required with 'terpenuhi', and they must meet the threshold), "
        "`budget_year` on a budget item (this year or next). Other items take none.",
    )
    expected_version: Version | None = Field(
        default=None,
        description="The item's `version` you read (0 if never answered); 409 with code "
        "`stale_version` if it changed since. Omit to save regardless.",
    )


STALE_API = (
    "The answer changed since you read it (its version is no longer `expected_version`); "
    "nothing was saved. Read the item again and retry."
)


def _last_day(ends: date | None) -> date | None:
    return ends - timedelta(days=1) if ends is not None and ends > date.min else None


def _item_out(view: ItemView, check: OutcomeCheck | None = None) -> ItemOut:
    a = view.answer
    return ItemOut(
        id=view.item.id,
        pillar=view.item.pillar_id,
        title=view.item.title,
        mandatory=view.item.mandatory,
        weight=view.item.weight,
        derived=view.derived,
        register_basis=(
            BasisOut(
                fact=str(a.basis["fact"]),
                counts=view.shown_counts,
                as_of=date.fromisoformat(str(a.basis["as_of"])),
            )
            if view.register_mode and a is not None and a.basis is not None
            else None
        ),
        status=a.status.value if a else "belum",
        verification=a.verification.value if a else "belum",
        note=a.note if a else "",
        not_applicable_reason=a.not_applicable_reason if a else "",
        rejection_reason=a.rejection_reason if a else "",
        submitted_at=a.submitted_at if a else None,
        verified_at=a.verified_at if a else None,
        expired=view.expired,
        valid_until=_last_day(validity.answer_expires_on(view.item, a)),
        evidence_count=len(view.evidence),
        figures=view.figures,
        outcome_met=check.met if check is not None else None,
        version=a.version if a else 0,
    )


def _checklist_out(view: AssessmentView) -> ChecklistOut:
    return ChecklistOut(
        framework=view.row.slug,
        version=view.row.version,
        title=view.framework.title,
        score=view.result.score,
        qualified=view.result.qualified,
        mandatory_missing=list(view.result.mandatory_missing),
        items=[_item_out(v, view.outcome_check(v)) for _, items in view.pillars for v in items],
    )


@router.get(
    "/villages/{code}/checklists",
    name="api_checklists",
    summary="A village's checklists with items, answers and score",
    responses=responses(*READ),
)
def checklists(code: VillageCode, db: DB, user: Viewer) -> list[ChecklistOut]:
    return [_checklist_out(v) for v in views.village_checklists(db, actor=user, village_code=code)]


@router.put(
    "/villages/{code}/checklists/{framework}/items/{item}",
    name="api_answer_item",
    summary="Answer one checklist item",
    description=(
        "Rules of the app that the schema cannot express (derived items, 'tidak_berlaku' on a "
        "mandatory item or without a reason) give 409 with code `rule_violation`. With "
        "`expected_version`, a save over a newer answer gives 409 with code `stale_version` "
        "and changes nothing."
    ),
    responses=responses(*WRITE),
    response_model=ItemOut,
    dependencies=[Depends(limit_body)],
)
def answer_item(
    code: VillageCode, framework: Slug, item: ItemKey, body: AnswerIn, db: DB, user: Answerer
) -> ItemOut | JSONResponse:
    try:
        checklist.answer_item(
            db,
            actor=user,
            village_code=code,
            framework_slug=framework,
            item_key=item,
            status=body.status,
            not_applicable_reason=body.not_applicable_reason,
            note=body.note,
            figures={str(k): v for k, v in body.figures.items()},
            expected_version=body.expected_version,
        )
    except StaleAnswer:
        return api_error_response(409, code="stale_version", detail=STALE_API)
    view = views.assessment_view(db, actor=user, village_code=code, framework_slug=framework)
    return _item_out(view.item(item), view.outcome_check(view.item(item)))
