"""The pure core of the tracker: check one step against the state, and fold steps into state.

No database here: services load the effective steps of an adoption, fold them, and store the
result on the adoption; the property test folds random sequences the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date

from perdes.errors import ValidationFailed
from perdes.tracking.stages import (
    AFTER_THE_FACT_FIRST,
    REASON_BEFORE_PREVIOUS,
    REASON_DECISION_REQUIRED,
    REASON_FUTURE,
    REQUIRED_FIELDS,
    ClarificationResult,
    Stage,
    allowed_next,
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
    """One text from agreement to klarifikasi: one line in each register.

    A Perdes cancelled at klarifikasi goes back to drafting; the next agreement starts a new
    cycle, and the cancelled one stays in the registers with its cancellation noted.
    """

    agreed: Step
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


def next_steps(state: State, *, after_the_fact: bool = False) -> tuple[Stage, ...]:
    """Steps that may be recorded now (only these are offered in the form).

    Recording after the fact starts at the agreement and may skip the hand-over, which old
    files rarely document.
    """
    if after_the_fact and state.stage is None:
        return (AFTER_THE_FACT_FIRST,)
    if after_the_fact and state.stage is Stage.DISEPAKATI:
        return (Stage.DISERAHKAN, Stage.DITETAPKAN)
    return allowed_next(state.stage)


def check_step(state: State, step: Step, *, today: date) -> None:
    """Raise ValidationFailed (field → Indonesian reason) unless ``step`` may follow ``state``."""
    errors: dict[str, str] = {}
    if step.stage not in next_steps(state, after_the_fact=step.after_the_fact):
        errors["stage"] = refusal(state.stage, step.stage)
    if step.occurred_on > today:
        errors["occurred_on"] = REASON_FUTURE
    elif state.stage_on is not None and step.occurred_on < state.stage_on:
        errors["occurred_on"] = REASON_BEFORE_PREVIOUS.format(
            previous=state.stage_on.strftime("%d-%m-%Y")
        )
    for name in REQUIRED_FIELDS.get(step.stage, ()):
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
    if step.stage is Stage.DISEPAKATI:
        cycles.append(Cycle(agreed=step))
    elif cycles:
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


def fold(steps: Iterable[Step], *, today: date | None = None) -> State:
    """Fold steps in order into a state; with ``today``, check each step on the way."""
    state = State()
    for step in steps:
        if today is not None:
            check_step(state, step, today=today)
        state = apply(state, step)
    return state
