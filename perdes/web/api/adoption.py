"""A village's adoption timeline, recording the next step, and JDIHN metadata."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal, Union

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, Field, create_model

from perdes.accounts.principal import Principal
from perdes.exchange import jdihn
from perdes.tracking import queries
from perdes.tracking import services as tracking
from perdes.tracking.kinds import ProductKind
from perdes.tracking.queries import AdoptionView, TimelineEntry
from perdes.tracking.services import TEXT_LIMITS
from perdes.tracking.stages import (
    REQUIRED_FIELDS,
    STAGE_LABELS,
    STEP_FIELDS,
    ClarificationResult,
    Stage,
)
from perdes.web.api.common import (
    ISO_DATE,
    NO_CONTROL,
    NON_BLANK,
    ONE_LINE,
    PREFIX,
    JdihnRecord,
    Paged,
    PageParams,
    RegionCode,
    RequestModel,
    VillageCode,
    limit_body,
    operation_id,
    page_meta,
    whole_number,
)
from perdes.web.api.errors import READ, WRITE, responses
from perdes.web.deps import DB
from perdes.web.permissions import requires

router = APIRouter(prefix=PREFIX, tags=["adoption"], generate_unique_id_function=operation_id)

Viewer = Annotated[Principal, Depends(requires("adoption.view"))]
Recorder = Annotated[Principal, Depends(requires("adoption.record"))]
AdoptionId = Annotated[int, Path(ge=1, le=2**31 - 1, examples=[1])]
IsoDate = Annotated[
    str,
    Field(pattern=ISO_DATE, json_schema_extra={"format": "date"}, description="YYYY-MM-DD"),
]


class EvidenceOut(BaseModel):
    id: int
    name: str
    media_type: str
    size_bytes: int
    sha256: str


class StepOut(BaseModel):
    event_id: int
    stage: Stage
    stage_label: str
    occurred_on: date | None = Field(description="As it stands after corrections.")
    retracted: bool
    corrected: bool
    after_the_fact: bool
    fields: dict[str, str | int | None] = Field(
        description="The step's own fields (e.g. perdes_number), after corrections."
    )
    notes: str
    recorded_at: datetime
    recorded_by: str
    evidence: list[EvidenceOut]


class AdoptionOut(BaseModel):
    id: int
    kind: ProductKind = Field(
        description="perdes, peraturan_bersama, perkades or kepdes (each has its own steps)."
    )
    title: str
    summary: str
    version: int = Field(description="Send as expected_version to refuse concurrent writes.")
    current_stage: Stage | None
    current_stage_on: date | None
    next_steps: list[Stage] = Field(description="Steps that may be recorded now.")
    next_deadline_kind: str | None
    next_deadline_on: date | None = Field(description="Last day, counted in working days.")
    perdes_type: str = Field(
        description="apb_desa, pungutan, tata_ruang and organisasi_pemdes "
        "are evaluated by the Bupati/Wali Kota (UU 6/2014 Pasal 69)."
    )
    evaluation_received_on: date | None
    evaluation_result_on: date | None
    agreed_on: date | None
    berita_acara_number: str
    enacted_on: date | None
    perdes_number: str
    promulgated_on: date | None
    lembaran_year: int | None
    lembaran_number: str
    reported_on: date | None
    report_letter_number: str
    recorded_after_the_fact: bool
    steps: list[StepOut]


class TimelineOut(BaseModel):
    village_code: str
    can_start: bool = Field(description="Whether a new Perdes may be started now.")
    refusal: str = Field(description="Why not (a kelurahan cannot make a Perdes), or empty.")
    adoptions: list[AdoptionOut] = Field(description="Newest first.")


def _step_out(entry: TimelineEntry) -> StepOut:
    event, step = entry.event, entry.step
    names = STEP_FIELDS[event.stage]
    fields: dict[str, str | int | None] = {}
    for name in names:
        value = getattr(step if step is not None else event, name)
        fields[name] = value.value if isinstance(value, ClarificationResult) else value
    return StepOut(
        event_id=event.id,
        stage=event.stage,
        stage_label=STAGE_LABELS[event.stage],
        occurred_on=step.occurred_on if step else None,
        retracted=step is None,
        corrected=bool(entry.corrections),
        after_the_fact=event.after_the_fact,
        fields=fields,
        notes=event.notes,
        recorded_at=event.recorded_at,
        recorded_by=event.recorded_by_name,
        evidence=[
            EvidenceOut(
                id=link.stored_file.id,
                # The name this attachment's uploader gave (bytes are shared by hash; the
                # first uploader's name may be another village's).
                name=link.file_name or f"berkas-{link.stored_file.id}",
                media_type=link.stored_file.media_type,
                size_bytes=link.stored_file.size_bytes,
                sha256=link.stored_file.sha256,
            )
            for link in event.file_links
        ],
    )


def _adoption_out(view: AdoptionView) -> AdoptionOut:
    a = view.adoption
    return AdoptionOut(
        id=a.id,
        kind=a.kind,
        title=a.title,
        summary=a.summary,
        version=a.version,
        current_stage=a.current_stage,
        current_stage_on=a.current_stage_on,
        next_steps=list(view.next_steps),
        next_deadline_kind=a.next_deadline_kind.value if a.next_deadline_kind else None,
        next_deadline_on=a.next_deadline_on,
        perdes_type=a.perdes_type.value,
        evaluation_received_on=a.evaluation_received_on,
        evaluation_result_on=a.evaluation_result_on,
        agreed_on=a.agreed_on,
        berita_acara_number=a.berita_acara_number,
        enacted_on=a.enacted_on,
        perdes_number=a.perdes_number,
        promulgated_on=a.promulgated_on,
        lembaran_year=a.lembaran_year,
        lembaran_number=a.lembaran_number,
        reported_on=a.reported_on,
        report_letter_number=a.report_letter_number,
        recorded_after_the_fact=a.recorded_after_the_fact,
        steps=[_step_out(e) for e in view.timeline],
    )


@router.get(
    "/villages/{code}/adoptions",
    name="api_adoptions",
    summary="A village's Perdes adoptions with their timelines",
    responses={
        200: {
            "description": "The village's adoptions, newest first.",
            "links": {
                "RecordStep": {
                    "operationId": "api_record_step",
                    "parameters": {
                        "code": "$response.body#/village_code",
                        "adoption_id": "$response.body#/adoptions/0/id",
                    },
                },
                "JdihnRecord": {
                    "operationId": "api_perdes_jdihn",
                    "parameters": {
                        "code": "$response.body#/village_code",
                        "adoption_id": "$response.body#/adoptions/0/id",
                    },
                },
            },
        },
        **responses(*READ),
    },
)
def adoptions(code: VillageCode, db: DB, user: Viewer) -> TimelineOut:
    tracker = queries.village_tracker(db, actor=user, village_code=code)
    return TimelineOut(
        village_code=code,
        can_start=tracker.can_start,
        refusal=tracker.refusal,
        adoptions=[_adoption_out(v) for v in tracker.adoptions],
    )


# --- recording a step: one body shape per stage, carrying only that stage's fields ------------


def _field(name: str, required: bool) -> tuple[Any, Any]:
    """The type and Field of one step field; optional ones default to empty."""
    if name == "lembaran_year":
        year = whole_number(ge=1945, le=2100)
        about = "Year of the Lembaran Desa."
        if required:
            return (year, Field(..., description=about))
        return (year | None, Field(None, description=about))
    if name == "clarification_result":
        # Literal, not the enum: strict mode would want an enum instance, not its JSON string.
        values: Any = Literal[tuple(r.value for r in ClarificationResult)]
        result = Field(..., description="sesuai, or dibatalkan (back to drafting).")
        return (values, result) if required else (values | None, None)
    limit = TEXT_LIMITS[name]
    if required:
        return (str, Field(..., max_length=limit, pattern=NON_BLANK))
    return (str, Field("", max_length=limit, pattern=ONE_LINE))


def _step_model(stage: Stage) -> type[RequestModel]:
    required = set(REQUIRED_FIELDS.get(stage, ()))
    own = {name: _field(name, name in required) for name in STEP_FIELDS[stage]}
    return create_model(  # type: ignore[call-overload,no-any-return]  # pydantic cannot type a model whose fields are built at run time
        f"Step_{stage.value}",
        __base__=RequestModel,
        __doc__=f"Record the step '{STAGE_LABELS[stage]}'.",
        stage=(Literal[stage.value], ...),
        occurred_on=(IsoDate, Field(description="When it happened (not in the future).")),
        notes=(str, Field(default="", max_length=2000, pattern=NO_CONTROL)),
        expected_version=(
            whole_number(ge=1, le=2**31 - 1) | None,
            Field(
                default=None,
                description="The adoption's version you saw; 409 if it changed since.",
            ),
        ),
        **own,
    )


STEP_MODELS = tuple(_step_model(stage) for stage in Stage)
# One body shape per stage, told apart by "stage" (a discriminated oneOf in the schema).
StepIn: Any = Annotated[Union[STEP_MODELS], Field(discriminator="stage")]  # noqa: UP007


@router.post(
    "/villages/{code}/adoptions/{adoption_id}/steps",
    name="api_record_step",
    summary="Record the next step of an adoption",
    description=(
        "The body's `stage` picks the fields it carries. The step must be one of the adoption's "
        "`next_steps`, dated not in the future and not before the previous step; otherwise 409 "
        "with the reason in `fields` (code `rule_violation`)."
    ),
    status_code=201,
    responses=responses(*WRITE),
    dependencies=[Depends(limit_body)],
)
def record_step(
    code: VillageCode, adoption_id: AdoptionId, body: StepIn, db: DB, user: Recorder
) -> AdoptionOut:
    queries.get_adoption(db, actor=user, adoption_id=adoption_id, village_code=code)
    data = body.model_dump(exclude={"expected_version"})
    tracking.record_step(
        db,
        actor=user,
        adoption_id=adoption_id,
        data=data,
        expected_version=body.expected_version,
    )
    tracker = queries.village_tracker(db, actor=user, village_code=code)
    view = next(v for v in tracker.adoptions if v.adoption.id == adoption_id)
    return _adoption_out(view)


# --- JDIHN ---------------------------------------------------------------------------------


@router.get(
    "/villages/{code}/adoptions/{adoption_id}/jdihn",
    name="api_perdes_jdihn",
    summary="JDIHN metadata of one promulgated Perdes",
    responses=responses(*READ),
)
def perdes_jdihn(code: VillageCode, adoption_id: AdoptionId, db: DB, user: Viewer) -> JdihnRecord:
    queries.get_adoption(db, actor=user, adoption_id=adoption_id, village_code=code)
    return JdihnRecord(**jdihn.perdes_metadata(db, actor=user, adoption_id=adoption_id))


@router.get(
    "/regions/{code}/jdihn",
    name="api_region_jdihn",
    summary="JDIHN metadata of the promulgated Perdes under a region",
    responses=responses(*READ),
)
def region_jdihn(code: RegionCode, db: DB, user: Viewer, paging: PageParams) -> Paged[JdihnRecord]:
    page = jdihn.region_metadata(
        db, actor=user, region_code=code, page=paging.page, per_page=paging.per_page
    )
    return Paged[JdihnRecord](
        items=[JdihnRecord(**item) for item in page.items], meta=page_meta(page)
    )
