"""A village's drafts, and rendering a Perdes to DOCX from posted variables and options.

The body of the DOCX route is built from each template's manifest, so the OpenAPI document
lists every variable with its type and limits; a new template appears without code changes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path
from fastapi.responses import Response
from pydantic import BaseModel, Field, create_model

from perdes.accounts.principal import Principal
from perdes.clock import local_today
from perdes.drafting.loader import list_templates, load_template
from perdes.drafting.manifest import OptionSpec, Template, VariableSpec
from perdes.drafting.render_akn import render_akn
from perdes.drafting.render_docx import render_docx
from perdes.drafting.signing import NotSignable
from perdes.drafting.values import MIN_YEAR
from perdes.drafting.workspace import services as drafts
from perdes.errors import NotFound, ValidationFailed
from perdes.web.api.common import (
    ISO_DATE,
    NO_CONTROL,
    ONE_LINE,
    PREFIX,
    RequestModel,
    VillageCode,
    limit_body,
    operation_id,
    whole_number,
)
from perdes.web.api.errors import READ, WRITE, responses
from perdes.web.deps import DB
from perdes.web.permissions import requires

router = APIRouter(prefix=PREFIX, tags=["drafts"], generate_unique_id_function=operation_id)

Viewer = Annotated[Principal, Depends(requires("draft.view"))]
Editor = Annotated[Principal, Depends(requires("draft.edit"))]
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
RowId = Annotated[int, Path(ge=1, le=2**31 - 1, examples=[1])]


class RevisionOut(BaseModel):
    number: int
    created_at: datetime
    author: str
    message: str
    template_version: str


class DraftOut(BaseModel):
    id: int
    template: str
    title: str
    created_at: datetime
    latest_number: int
    consultation_number: int | None = Field(description="Revision sent to public consultation.")
    bpd_number: int | None = Field(description="Revision sent to the BPD.")
    latest_values: dict[str, Any] = Field(description="Variables of the latest revision.")
    latest_options: dict[str, Any] = Field(description="Options of the latest revision.")
    revisions: list[RevisionOut] = Field(description="Newest first.")


@router.get(
    "/villages/{code}/drafts",
    name="api_drafts",
    summary="A village's drafts with their revisions",
    responses=responses(*READ),
)
def draft_list(code: VillageCode, db: DB, user: Viewer) -> list[DraftOut]:
    out = []
    for draft in drafts.list_drafts(db, actor=user, village_code=code):
        revisions = drafts.list_revisions(db, draft=draft)
        latest = revisions[0] if revisions else None
        out.append(
            DraftOut(
                id=draft.id,
                template=draft.template_slug,
                title=draft.title,
                created_at=draft.created_at,
                latest_number=draft.latest_number,
                consultation_number=draft.consultation_number,
                bpd_number=draft.bpd_number,
                latest_values=dict(latest.values) if latest else {},
                latest_options=dict(latest.options) if latest else {},
                revisions=[
                    RevisionOut(
                        number=r.number,
                        created_at=r.created_at,
                        author=r.author_name,
                        message=r.message,
                        template_version=r.template_version,
                    )
                    for r in revisions
                ],
            )
        )
    return out


# --- request models from the template manifests --------------------------------------------


def _variable(spec: VariableSpec, this_year: int) -> tuple[Any, Any]:
    has_default = spec.default is not None or spec.default_from in ("today", "today.year")
    required = spec.required and not has_default
    default: Any = ... if required else None
    about = spec.label + (f". {spec.help}" if spec.help else "")
    kind: Any
    if spec.type == "choice":
        kind = Literal[tuple(spec.choices)]
        field = Field(default, description=about)
    elif spec.type == "text":
        kind = str
        pattern = NO_CONTROL if spec.multiline else ONE_LINE
        field = Field(default, max_length=spec.max_length, pattern=pattern, description=about)
    elif spec.type in ("int", "year"):
        low, high = spec.min, spec.max
        if spec.type == "year":
            low = MIN_YEAR if low is None else low
            high = this_year + 1 if high is None else high
        kind = whole_number(ge=low, le=high)
        field = Field(default, description=about)
    elif spec.type == "date":
        kind = str
        field = Field(
            default, pattern=ISO_DATE, json_schema_extra={"format": "date"}, description=about
        )
    elif spec.type == "bool":
        kind = bool
        field = Field(default, description=about)
    else:  # citations: keys of the citation catalogue
        kind = list[Literal[tuple(spec_keys(spec))]]  # type: ignore[misc]  # a Literal of the template's choices, known only at run time
        field = Field(default, max_length=100, description=about)
    return (kind if required else kind | None, field)


_CATALOGUE_KEYS: dict[str, tuple[str, ...]] = {}


def spec_keys(spec: VariableSpec) -> tuple[str, ...]:
    return _CATALOGUE_KEYS[spec.name]


def _option(spec: OptionSpec) -> tuple[Any, Any]:
    about = spec.label + (f". {spec.help}" if spec.help else "")
    if spec.type == "bool":
        return (bool | None, Field(None, description=f"{about} Default: {spec.default}."))
    kind: Any = Literal[tuple(spec.choices)]
    return (kind | None, Field(None, description=f"{about} Default: {spec.default}."))


def _name(slug: str) -> str:
    return "".join(part.capitalize() for part in slug.split("-"))


def render_model(template: Template, this_year: int) -> type[RequestModel]:
    """The body of the DOCX route for one template."""
    for name, spec in template.variables.items():
        if spec.type == "citations":
            _CATALOGUE_KEYS[name] = tuple(sorted(template.catalogue.instruments))
    name = _name(template.slug)
    values = create_model(  # type: ignore[call-overload]  # pydantic cannot type a model whose fields are built at run time
        f"{name}Values",
        __base__=RequestModel,
        __doc__=f"Variables of template '{template.slug}'; omitted ones take their default.",
        **{n: _variable(s, this_year) for n, s in template.variables.items()},
    )
    options = create_model(  # type: ignore[call-overload]  # pydantic cannot type a model whose fields are built at run time
        f"{name}Options",
        __base__=RequestModel,
        __doc__=f"Options of template '{template.slug}'; omitted ones take their default.",
        **{n: _option(s) for n, s in template.options.items()},
    )
    fields: dict[str, Any] = {
        "template": (Literal[template.slug], ...),
        "values": (values, ...),
        "options": (options, Field(default_factory=options)),
        "paper": (Literal["F4", "A4"], Field("F4", description="Paper size.")),
        "kind": (
            Literal["rancangan", "naskah"],
            Field(
                "rancangan",
                description=(
                    "rancangan: headed RANCANGAN, unverified citations and blank numbers "
                    "marked in the text; naskah: the text to sign, refused (409 "
                    "rule_violation, one field per item to complete) while any marker remains."
                ),
            ),
        ),
    }
    return create_model(
        f"{name}Render",
        __base__=RequestModel,
        __doc__=f"Render template '{template.slug}' ({template.info.title}).",
        **fields,
    )


RENDER_MODELS = tuple(
    render_model(load_template(info.slug), local_today().year) for info in list_templates()
)
if len(RENDER_MODELS) == 1:
    RenderIn: Any = RENDER_MODELS[0]
else:
    from typing import Union

    RenderIn = Annotated[Union[RENDER_MODELS], Field(discriminator="template")]  # noqa: UP007


@router.post(
    "/villages/{code}/drafts/docx",
    name="api_render_docx",
    summary="Render a Perdes to DOCX from variables and options (nothing is saved)",
    description=(
        "Text with control characters, or longer than a variable allows, gives 422. Values the "
        "template refuses for other reasons (an option needing another, a year out of range, "
        "template markers such as '{{') give 409 with code `rule_violation` and English "
        "messages per field."
    ),
    response_class=Response,
    responses={
        200: {"description": "The regulation as a Word document.", "content": {DOCX: {}}},
        **responses(*WRITE),
    },
    dependencies=[Depends(limit_body)],
)
def render_docx_route(code: VillageCode, body: RenderIn, db: DB, user: Editor) -> Response:
    document = drafts.unsaved_document(
        db,
        actor=user,
        village_code=code,
        template_slug=body.template,
        values=body.values.model_dump(exclude_none=True),
        options=body.options.model_dump(exclude_none=True),
        english=True,
    )
    try:
        data = render_docx(document, paper=body.paper, kind=body.kind)
    except NotSignable as exc:
        raise ValidationFailed(dict(exc.errors), "Not ready to sign; complete first.") from exc
    prefix = "naskah-perdes" if body.kind == "naskah" else "rancangan-perdes"
    filename = f"{prefix}-{code.replace('.', '')}.docx"
    return Response(
        data,
        media_type=DOCX,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get(
    "/villages/{code}/drafts/{draft_id}/revisions/{number}/akn",
    name="api_draft_akn",
    summary="A saved revision as Akoma Ntoso 3.0 XML",
    description=(
        "The OASIS LegalDocML (Akoma Ntoso 3.0) act for a revision of a Peraturan Desa, "
        "Peraturan Kepala Desa or Keputusan Kepala Desa: FRBR metadata, preface, preamble, "
        "body (chapters, articles, paragraphs with eIds) and conclusions. `kind=naskah` is "
        "refused (409 rule_violation, one field per item to complete) while any marker remains. "
        "A draft of another village, or out of scope, is 404."
    ),
    response_class=Response,
    responses={
        200: {"description": "Akoma Ntoso XML.", "content": {"application/xml": {}}},
        **responses(*WRITE),
    },
)
def draft_akn_route(
    code: VillageCode,
    draft_id: RowId,
    number: RowId,
    db: DB,
    user: Viewer,
    kind: Literal["rancangan", "naskah"] = "rancangan",
) -> Response:
    view = drafts.get_draft(db, actor=user, draft_id=draft_id)
    if view.draft.village_code != code:
        raise NotFound("Draft not found in this village.")
    revision = drafts.get_revision(db, draft=view.draft, number=number)
    document = drafts.revision_document(view.draft, revision)
    try:
        data = render_akn(document, kind=kind, generated_on=revision.created_at.date())
    except NotSignable as exc:
        raise ValidationFailed(dict(exc.errors), "Not ready to sign; complete first.") from exc
    filename = f"{kind}-{draft_id}-revisi-{number}.akn.xml"
    return Response(
        data,
        media_type="application/xml",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
