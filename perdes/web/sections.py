"""Page parts shown by more than one route module: the tracker section of the village page,
the stage funnel chart. Route modules never import each other; what they share lives here."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from perdes.accounts.principal import Principal
from perdes.drafting.stepdocs import list_step_templates
from perdes.monitoring import charts
from perdes.monitoring.figures import FUNNEL_KEYS, FUNNEL_LABELS, Figures
from perdes.regions.models import Region
from perdes.stepdocs.services import offered_documents
from perdes.tracking import agreed, links, queries
from perdes.tracking.deadlines import DEFAULTS, EVALUATED, EVALUATION_STAGES, PERDES_TYPE_LABELS
from perdes.tracking.kinds import (
    GAZETTE,
    KIND_LABELS,
    NUMBER_LABELS,
    ProductKind,
    required_fields,
    step_fields,
)
from perdes.tracking.models import DEFAULT_TITLE
from perdes.tracking.records import AdoptionRecord
from perdes.tracking.stages import (
    CLARIFICATION_LABELS,
    DATE_LABELS,
    FIELD_LABELS,
    REQUIRED_FIELDS,
    STAGE_LABELS,
    STEP_FIELDS,
    Stage,
)


@functools.cache  # fixed per kind; the templates only read it
def kind_labels(kind: ProductKind) -> dict[str, Any]:
    """The step fields and labels of one kind of product, for the step forms and timeline."""
    return {
        "step_fields": {stage: step_fields(kind, stage) for stage in Stage},
        "required_fields": {stage: required_fields(kind, stage) for stage in Stage},
        "field_labels": {**FIELD_LABELS, "perdes_number": NUMBER_LABELS[kind]},
        "clarification_labels": CLARIFICATION_LABELS,
    }


def tracker_labels() -> dict[str, Any]:
    """The labels and rules the tracker templates read."""
    return {
        "kind_labels": KIND_LABELS,
        "kind_step_labels": kind_labels,
        "gazette": GAZETTE,
        "link_labels": links.LINK_LABELS,
        "ProductKind": ProductKind,
        "stage_labels": STAGE_LABELS,
        "date_labels": DATE_LABELS,
        "field_labels": FIELD_LABELS,
        "step_fields": STEP_FIELDS,
        "clarification_labels": CLARIFICATION_LABELS,
        "required_fields": REQUIRED_FIELDS,
        "deadline_defaults": DEFAULTS,
        "perdes_type_labels": PERDES_TYPE_LABELS,
        "evaluated": EVALUATED,
        "evaluation_stages": EVALUATION_STAGES,
        "Stage": Stage,
    }


def tracker_section(
    db: Session,
    user: Principal,
    kode: str,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    form_key: str = "",
    message: str = "",
    tone: str = "ok",
    region: Region | None = None,
) -> dict[str, Any]:
    """Everything the tracker section template reads, under one key (``tracker_section``), so
    the village page adds it with one call (``region``: the village it loaded in scope)."""
    tracker = queries.village_tracker(db, actor=user, village_code=kode, region=region)
    # only the "disepakati" step form lists the drafts' revisions
    choices, default_revision = (
        agreed.revision_offer(db, village_code=kode)
        if any(Stage.DISEPAKATI in v.next_steps for v in tracker.adoptions)
        else ([], None)
    )
    return {
        "tracker": tracker,
        # the revision each adoption's BPD agreed, and the revisions "disepakati" offers
        "agreed": {
            v.adoption.id: agreed.agreed_text(db, v.adoption, timeline=v.timeline)
            for v in tracker.adoptions
        },
        "revision_choices": choices,
        "default_revision": default_revision,
        "form_errors": errors or {},
        "form_values": values or {},
        "form_key": form_key,
        "message": message,
        "message_tone": tone,
        "default_title": DEFAULT_TITLE,
        "step_documents": _documents_of(tracker),
        "link_candidates": _link_candidates(tracker),
        **tracker_labels(),
    }


def _link_candidates(tracker: queries.VillageTracker) -> dict[int, list[AdoptionRecord]]:
    """For each adoption, the village's other products of the same kind (newest first), which
    the link form offers; once per page here rather than a filter chain per adoption in the
    template."""
    products = [v.adoption for v in tracker.adoptions]
    return {a.id: [o for o in products if o.kind is a.kind and o.id != a.id] for a in products}


def _documents_of(tracker: queries.VillageTracker) -> Callable[[AdoptionRecord], Any]:
    """``offered_documents`` with the step-document templates read from disk once per page
    (none when the village has no adoption)."""
    if not tracker.adoptions:
        return offered_documents
    templates = list_step_templates()
    return functools.partial(offered_documents, templates=templates)


def funnel_chart(total: Figures, *, chart_id: str) -> str:
    """The villages per stage as a bar chart (dashboard and target lists)."""
    bars = [charts.Bar(FUNNEL_LABELS[k], total.stages[k]) for k in FUNNEL_KEYS]
    return charts.bar_chart(
        bars,
        title="Tahapan Perdes per desa",
        description=(
            f"{total.desa} desa: {total.stages[FUNNEL_KEYS[0]]} belum mulai, "
            f"{total.promulgated} sudah diundangkan. Angka lengkap ada pada tabel di bawahnya."
        ),
        chart_id=chart_id,
    )
