"""The pure core of the tracker: check one step against the state, and fold steps into state.

No database here: services load the effective steps of an adoption, fold them, and store the
result on the adoption; the property test folds random sequences the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date

from perdes.errors import ValidationFailed
from perdes.tracking.kinds import AFTER_THE_FACT_FIRST, ProductKind, required_fields, transitions
from perdes.tracking.stages import (
    REASON_BEFORE_PREVIOUS,
    REASON_DECISION_REQUIRED,
    REASON_FUTURE,
    ClarificationResult,
    Stage,
    refusal,
    stage_after,
)


@dataclass(frozen=True, slots=True)
class Step:
    """One law-making step as it stands after corrections: its date and its own fields."""

    stage: Stage
    occurred_on: date
    berita_acara_number: str = ""
    perdes_number: str = ""
    lembaran_year: int | None = None
    lembaran_number: str = ""
    berita_desa_number: str = ""
    letter_number: str = ""
    clarification_result: ClarificationResult | None = None
    decision_number: str = ""
    after_the_fact: bool = False
    event_id: int | None = None


@dataclass(slots=True)
class Cycle:
    """One text from agreement (or, for kinds without one, penetapan) to klarifikasi: one line
    in each register.

    A Perdes cancelled at klarifikasi goes back to drafting; the next agreement starts a new
    cycle, and the cancelled one stays in the registers with its cancellation noted.
    """

    agreed: Step | None = None
    handed_over: Step | None = None
    enacted: Step | None = None
    promulgated: Step | None = None
    reported: Step | None = None
    clarified: Step | None = None


@dataclass(slots=True)
class State:
    """Where an adoption stands: the current stage, since when, and its cycles."""

    stage: Stage | None = None
    stage_on: date | None = None
    steps: list[Step] = field(default_factory=list)
    cycles: list[Cycle] = field(default_factory=list)

    @property
    def current_cycle(self) -> Cycle | None:
        return self.cycles[-1] if self.cycles else None


def next_steps(
    state: State, *, after_the_fact: bool = False, kind: ProductKind = ProductKind.PERDES
) -> tuple[Stage, ...]:
    """Steps that may be recorded now for a product of ``kind`` (only these are offered).

    Recording after the fact starts at the agreement (a Perdes) or penetapan (other kinds)
    and may skip the hand-over, which old files rarely document.
    """
    if after_the_fact and state.stage is None:
        return (AFTER_THE_FACT_FIRST[kind],)
    if after_the_fact and state.stage is Stage.DISEPAKATI:
        return (Stage.DISERAHKAN, Stage.DITETAPKAN)
    return transitions(kind).get(state.stage, ())


def check_step(
    state: State, step: Step, *, today: date, kind: ProductKind = ProductKind.PERDES
) -> None:
    """Raise ValidationFailed (field → Indonesian reason) unless ``step`` may follow ``state``
    for a product of ``kind``."""
    errors: dict[str, str] = {}
    if step.stage not in next_steps(state, after_the_fact=step.after_the_fact, kind=kind):
        errors["stage"] = refusal(state.stage, step.stage, transitions(kind))
    if step.occurred_on > today:
        errors["occurred_on"] = REASON_FUTURE
    elif state.stage_on is not None and step.occurred_on < state.stage_on:
        errors["occurred_on"] = REASON_BEFORE_PREVIOUS.format(
            previous=state.stage_on.strftime("%d-%m-%Y")
        )
    for name in required_fields(kind, step.stage):
        if getattr(step, name) in (None, ""):
            errors[name] = "Wajib diisi."
    if (
        step.stage is Stage.KLARIFIKASI
        and step.clarification_result is ClarificationResult.DIBATALKAN
        and not step.decision_number
    ):
        errors["decision_number"] = REASON_DECISION_REQUIRED
    if errors:
        raise ValidationFailed(errors)


def apply(state: State, step: Step) -> State:
    """The state after ``step`` (unchecked; call ``check_step`` first)."""
    cycles = [replace(c) for c in state.cycles]
    if step.stage is Stage.DISEPAKATI or (
        # Kinds without an agreement: penetapan opens the text's cycle.
        step.stage is Stage.DITETAPKAN and (not cycles or cycles[-1].enacted is not None)
    ):
        cycles.append(Cycle(agreed=step if step.stage is Stage.DISEPAKATI else None))
    if cycles:
        slot = {
            Stage.DISERAHKAN: "handed_over",
            Stage.DITETAPKAN: "enacted",
            Stage.DIUNDANGKAN: "promulgated",
            Stage.DILAPORKAN: "reported",
            Stage.KLARIFIKASI: "clarified",
        }.get(step.stage)
        if slot is not None:
            setattr(cycles[-1], slot, step)
    return State(
        stage=stage_after(step.stage, step.clarification_result),
        stage_on=step.occurred_on,
        steps=[*state.steps, step],
        cycles=cycles,
    )


def fold(
    steps: Iterable[Step], *, today: date | None = None, kind: ProductKind = ProductKind.PERDES
) -> State:
    """Fold steps in order into a state; with ``today``, check each step on the way."""
    state = State()
    for step in steps:
        if today is not None:
            check_step(state, step, today=today, kind=kind)
        state = apply(state, step)
    return state
