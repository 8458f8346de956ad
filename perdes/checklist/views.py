"""What the village page shows: items grouped by pillar with answers, evidence, history, score."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, aliased, lazyload

from perdes.accounts.principal import Principal
from perdes.checklist import facts, registry, thresholds, validity
from perdes.checklist.figures import (
    FigureDef,
    OutcomeCheck,
    as_seen_outside,
    check_outcome,
    figures_for,
)
from perdes.checklist.framework import Framework, ItemDef, Pillar
from perdes.checklist.models import (
    ChecklistAnswer,
    ChecklistAssessment,
    ChecklistEvidence,
    ChecklistFramework,
    ChecklistItemEvent,
    ItemStatus,
)
from perdes.checklist.scoring import ItemState, ScoreResult, compute
from perdes.checklist.store import current_assessment
from perdes.errors import NotFound
from perdes.files import StoredFile
from perdes.regions.services import VillageView, get_village
from perdes.register import suppression


@dataclass(slots=True)
class EvidenceView:
    id: int
    file: StoredFile
    name: str = ""  # as this uploader named it (equal files are stored once)


@dataclass(slots=True)
class ItemView:
    """One item as the village page shows it; ``answer`` is None until someone touches it."""

    item: ItemDef
    answer: ChecklistAnswer | None
    evidence: list[EvidenceView] = field(default_factory=list)
    history: list[ChecklistItemEvent] = field(default_factory=list)
    on: date = field(default_factory=validity.today)
    # Register counts exactly as counted (the village's own register officers) or with counts
    # under 5 shown as "< 5" (everyone else: a village is below the kecamatan).
    exact_counts: bool = False
    _state: ItemState | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def state(self) -> ItemState:
        """The item's status and verification on ``on`` (worked out once: a view is built for
        one page and never changed)."""
        if self._state is None:
            self._state = validity.state_of(self.item, self.answer, self.on)
        return self._state

    @property
    def expired(self) -> bool:
        """Verified, but the validity period is over: "perlu diperbarui"."""
        return self.state.expired

    @property
    def valid_until(self) -> str:
        """The last day a verified answer counts ("14 Maret 2027"), or "" if it never ends."""
        return validity.last_valid_day(validity.answer_expires_on(self.item, self.answer))

    @property
    def derived(self) -> bool:
        """The status is set by the app (a rule, or the register where the village keeps one):
        nobody sets it by hand."""
        return self.item.rule is not None or self.register_mode

    @property
    def auto_verified(self) -> bool:
        """Verified by the system itself (a rule item): no monitor decides on it."""
        return self.item.rule is not None

    @property
    def register_mode(self) -> bool:
        """Derived from the village's PMI register (``conditional_rule`` whose condition holds)."""
        return (
            self.item.conditional is not None
            and self.answer is not None
            and self.answer.derived
            and self.answer.basis is not None
        )

    @property
    def basis_counts(self) -> list[tuple[str, int | str]]:
        """The register counts the derived status rests on, labelled (counts only; small
        counts suppressed unless ``exact_counts``)."""
        shown = self.shown_counts
        return [(facts.COUNT_LABELS.get(k, k), v) for k, v in shown.items()]

    @property
    def shown_counts(self) -> dict[str, int | str]:
        """The basis counts by key, as this reader may see them."""
        if not self.register_mode or self.answer is None or self.answer.basis is None:
            return {}
        counts = {k: int(v) for k, v in self.answer.basis.get("counts", {}).items()}
        return dict(counts) if self.exact_counts else suppression.primary(counts)

    @property
    def basis_on(self) -> date | None:
        """The day the register counts were computed (unchanged since)."""
        if not self.register_mode or self.answer is None or self.answer.basis is None:
            return None
        return date.fromisoformat(str(self.answer.basis["as_of"]))

    @property
    def conditional_label(self) -> str:
        cond = self.item.conditional
        if cond is None:
            return ""
        return facts.describe(cond.then.fact, cond.then.params)

    @property
    def status_choices(self) -> list[ItemStatus]:
        """Statuses a person may pick: mandatory items cannot be "tidak berlaku"."""
        return [
            s for s in ItemStatus if s is not ItemStatus.TIDAK_BERLAKU or not self.item.mandatory
        ]

    @property
    def figure_defs(self) -> tuple[FigureDef, ...]:
        """The number fields of this item's answer (departure counts, budget year)."""
        return figures_for(self.item.extras)

    @property
    def figures(self) -> dict[str, int]:
        return dict(self.answer.figures or {}) if self.answer is not None else {}

    @property
    def fact_label(self) -> str:
        rule = self.item.rule
        return facts.describe(rule.fact, rule.params) if rule else ""


@dataclass(slots=True)
class AssessmentView:
    """A village against the current version of one framework."""

    village_code: str
    row: ChecklistFramework
    framework: Framework
    assessment: ChecklistAssessment | None
    pillars: list[tuple[Pillar, list[ItemView]]]
    result: ScoreResult
    archived: list[ChecklistAnswer]
    threshold: thresholds.OutcomeThreshold | None = None  # for the outcome item, if set

    def item(self, item_key: str) -> ItemView:
        for _, items in self.pillars:
            for view in items:
                if view.item.id == item_key:
                    return view
        raise NotFound("Butir ceklis tidak ditemukan.")

    def outcome_check(self, view: ItemView) -> OutcomeCheck | None:
        """The outcome item's counts against this regency's threshold (None: other items,
        or counts not given yet)."""
        if not view.item.extras.outcome:
            return None
        percent = self.threshold.min_matched_percent if self.threshold else None
        check = check_outcome(view.figures, percent)
        if check is None or view.exact_counts or not view.register_mode:
            return check
        return as_seen_outside(check, view.figures, percent)

    @property
    def missing(self) -> list[ItemView]:
        """Mandatory items not yet verified, in framework order."""
        keys = set(self.result.mandatory_missing)
        return [v for _, items in self.pillars for v in items if v.item.id in keys]


# The view's statements, built once (building one and its cache key costs SQLAlchemy more
# than running it); the ids and codes are bound parameters.
_ANSWERS = select(ChecklistAnswer).where(ChecklistAnswer.assessment_id == bindparam("id"))
_EVIDENCE = (
    select(ChecklistEvidence, StoredFile)
    .join(StoredFile, StoredFile.id == ChecklistEvidence.stored_file_id)
    .where(ChecklistEvidence.answer_id.in_(bindparam("ids", expanding=True)))
    .order_by(ChecklistEvidence.added_at, ChecklistEvidence.id)
)
_HISTORY = (
    select(ChecklistItemEvent)
    .where(ChecklistItemEvent.answer_id.in_(bindparam("ids", expanding=True)))
    .order_by(ChecklistItemEvent.at.desc(), ChecklistItemEvent.id.desc())
)
# answers of items dropped by a newer version stay on the superseded assessment
_ARCHIVED = (
    select(ChecklistAnswer)
    .join(ChecklistAssessment, ChecklistAssessment.id == ChecklistAnswer.assessment_id)
    .join(ChecklistFramework, ChecklistFramework.id == ChecklistAssessment.framework_id)
    .where(
        ChecklistAssessment.village_code == bindparam("village_code"),
        ChecklistFramework.slug == bindparam("slug"),
        ChecklistAnswer.archived_at.is_not(None),
    )
    .order_by(ChecklistAnswer.item_key)
)


# The village page's frameworks in one statement: each framework's current version, with the
# village's current assessment against any version of it and its regency's outcome threshold
# (what current_versions, current_assessment and threshold_for read one by one).
_SAME_SLUG = aliased(ChecklistFramework)
_VILLAGE_FRAMEWORKS = (
    registry.current_versions_statement()
    .add_columns(ChecklistAssessment, thresholds.OutcomeThreshold)
    .outerjoin(
        ChecklistAssessment,
        (ChecklistAssessment.village_code == bindparam("village_code"))
        & ChecklistAssessment.superseded_at.is_(None)
        & ChecklistAssessment.framework_id.in_(
            select(_SAME_SLUG.id).where(_SAME_SLUG.slug == ChecklistFramework.slug)
        ),
    )
    .outerjoin(
        thresholds.OutcomeThreshold,
        (thresholds.OutcomeThreshold.regency_code == bindparam("regency_code"))
        & (thresholds.OutcomeThreshold.framework_slug == ChecklistFramework.slug),
    )
    .options(lazyload(ChecklistAssessment.framework))
)


def _build_view(
    session: Session,
    *,
    village_code: str,
    row: ChecklistFramework,
    exact_counts: bool,
    assessment: ChecklistAssessment | None,
    threshold: thresholds.OutcomeThreshold | None,
) -> AssessmentView:
    if assessment is not None and assessment.framework_id != row.id:
        row = assessment.framework  # not yet upgraded: show what the village answered
    framework = registry.parsed(row)
    answers: dict[str, ChecklistAnswer] = {}
    archived: list[ChecklistAnswer] = []
    evidence: dict[int, list[EvidenceView]] = {}
    history: dict[int, list[ChecklistItemEvent]] = {}
    if assessment is not None:
        for answer in session.scalars(_ANSWERS, {"id": assessment.id}):
            answers[answer.item_key] = answer
        ids = [a.id for a in answers.values()]
        if ids:
            for link, stored in session.execute(_EVIDENCE, {"ids": ids}):
                evidence.setdefault(link.answer_id, []).append(
                    EvidenceView(link.id, stored, link.file_name or stored.original_name)
                )
            for event in session.scalars(_HISTORY, {"ids": ids}):
                history.setdefault(event.answer_id, []).append(event)
        archived = list(
            session.scalars(_ARCHIVED, {"village_code": village_code, "slug": row.slug})
        )
    pillars: list[tuple[Pillar, list[ItemView]]] = []
    on = validity.today()
    for pillar in framework.pillars:
        views = []
        for item in pillar.items:
            found = answers.get(item.id)
            aid = found.id if found else -1
            views.append(
                ItemView(item, found, evidence.get(aid, []), history.get(aid, []), on, exact_counts)
            )
        pillars.append((pillar, views))
    result = compute((v.item, v.state) for _, items in pillars for v in items)
    if not any(i.extras.outcome for i in framework.items()):
        threshold = None  # shown with the outcome item only
    return AssessmentView(
        village_code, row, framework, assessment, pillars, result, archived, threshold
    )


def village_checklists(
    session: Session, *, actor: Principal, village_code: str, village: VillageView | None = None
) -> list[AssessmentView]:
    """Every current framework for one village; NotFound outside the actor's scope.

    ``village``: the village as ``get_village`` just loaded it inside ``actor.scope`` (the
    village page has it already), which spares looking it up again."""
    if village is None or village.region.code != village_code:
        get_village(session, code=village_code, scope=actor.scope)
    exact = actor.can("register.record", village_code)
    views: dict[int, AssessmentView] = {}
    params = {"village_code": village_code, "regency_code": village_code[:5]}
    for row, assessment, threshold in session.execute(_VILLAGE_FRAMEWORKS, params):
        if row.id not in views:  # one assessment per framework (the first, as scalar() took)
            views[row.id] = _build_view(
                session,
                village_code=village_code,
                row=row,
                exact_counts=exact,
                assessment=assessment,
                threshold=threshold,
            )
    return list(views.values())


def assessment_view(
    session: Session, *, actor: Principal, village_code: str, framework_slug: str
) -> AssessmentView:
    """One framework for one village; NotFound outside the scope or for unknown frameworks."""
    get_village(session, code=village_code, scope=actor.scope)
    row = registry.current_version(session, slug=framework_slug)
    return _build_view(
        session,
        village_code=village_code,
        row=row,
        exact_counts=actor.can("register.record", village_code),
        assessment=current_assessment(session, village_code=village_code, slug=row.slug),
        threshold=thresholds.threshold_for(
            session, village_code=village_code, framework_slug=row.slug
        ),
    )


def evidence_file(
    session: Session,
    *,
    actor: Principal,
    village_code: str,
    framework_slug: str,
    item_key: str,
    evidence_id: int,
) -> EvidenceView:
    """One evidence link of this item (file and name); NotFound outside scope or elsewhere."""
    view = assessment_view(
        session, actor=actor, village_code=village_code, framework_slug=framework_slug
    )
    for evidence in view.item(item_key).evidence:
        if evidence.id == evidence_id:
            return evidence
    raise NotFound("Bukti tidak ditemukan.")
