"""Property: random sequences of actions never reach a state the rules forbid, and the stored
read model always equals the fold of the event log."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

from hypothesis import HealthCheck, given, settings, target
from hypothesis import strategies as st

from perdes.errors import ValidationFailed
from perdes.tracking import queries, services
from perdes.tracking.deadlines import DEFAULTS, deadline_after
from perdes.tracking.fold import fold
from perdes.tracking.stages import (
    REQUIRED_FIELDS,
    STAGE_ORDER,
    TRANSITIONS,
    ClarificationResult,
    Stage,
    stage_after,
)
from tests.factories import LONTAR
from tests.tracking.helpers import FIELDS, TODAY, plus_working_days

START = date(2026, 1, 1)

step_action = st.tuples(
    st.just("step"),
    st.one_of(st.none(), st.none(), st.none(), st.sampled_from(STAGE_ORDER)),  # None: the next
    st.integers(min_value=-3, max_value=40),  # days after the current stage date
    st.booleans(),  # drop a required field
    st.sampled_from(list(ClarificationResult)),
)
correct_action = st.tuples(st.just("correct"), st.integers(0, 30), st.integers(-5, 5))
retract_action = st.tuples(st.just("retract"), st.integers(0, 30))
actions = st.lists(
    st.one_of(step_action, step_action, step_action, correct_action, retract_action),
    max_size=30,
)


def _expected_ok(adoption, stage, on, drop, result):
    prev = adoption.current_stage
    if stage not in TRANSITIONS[prev] or on > TODAY:
        return False
    if adoption.current_stage_on and on < adoption.current_stage_on:
        return False
    return not (drop and REQUIRED_FIELDS.get(stage))


def _check_invariants(adoption):
    steps, _ = queries.effective_steps(adoption)
    state = fold(steps, today=TODAY)  # raises if a forbidden state was ever reached
    assert adoption.current_stage == state.stage
    assert adoption.current_stage_on == state.stage_on
    kind = deadline_after(state.stage)
    assert adoption.next_deadline_kind == kind
    if kind is None:
        assert adoption.next_deadline_on is None
    else:
        assert adoption.next_deadline_on == plus_working_days(state.stage_on, DEFAULTS[kind].days)
    for earlier, later in pairwise(steps):
        assert earlier.occurred_on <= later.occurred_on <= TODAY
        assert later.stage in TRANSITIONS[stage_after(earlier.stage, earlier.clarification_result)]


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(actions)
def test_random_actions_never_break_the_rules(db, operator, sequence):
    nested = db.begin_nested()
    try:
        adoption = services.start_adoption(db, actor=operator, village_code=LONTAR)
        for action in sequence:
            base = adoption.current_stage_on or START
            if action[0] == "step":
                _, stage, offset, drop, result = action
                if stage is None:
                    allowed = TRANSITIONS[adoption.current_stage]
                    stage = allowed[0] if allowed else Stage.DIRENCANAKAN
                on = base + timedelta(days=offset)
                data = {
                    "stage": stage.value,
                    "occurred_on": on.isoformat(),
                    **FIELDS.get(stage, {}),
                }
                if stage is Stage.KLARIFIKASI:
                    data["clarification_result"] = result.value
                    data["decision_number"] = "KEP-1"
                if drop and REQUIRED_FIELDS.get(stage):
                    data[REQUIRED_FIELDS[stage][0]] = ""
                expected = _expected_ok(adoption, stage, on, drop, result)
                try:
                    services.record_step(
                        db, actor=operator, adoption_id=adoption.id, data=data, today=TODAY
                    )
                    accepted = True
                except ValidationFailed:
                    accepted = False
                assert accepted == expected, (action, adoption.current_stage)
            else:
                originals = [e for e in adoption.events if e.corrects_event_id is None]
                if not originals:
                    continue
                original = originals[action[1] % len(originals)]
                try:
                    if action[0] == "retract":
                        services.correct_event(
                            db, actor=operator, event_id=original.id, reason="r", retract=True,
                            today=TODAY,
                        )  # fmt: skip
                    else:
                        on = original.occurred_on + timedelta(days=action[2])
                        data = {"occurred_on": on.isoformat(), **FIELDS.get(original.stage, {})}
                        services.correct_event(
                            db, actor=operator, event_id=original.id, reason="koreksi", data=data,
                            today=TODAY,
                        )  # fmt: skip
                except ValidationFailed:
                    pass
            _check_invariants(adoption)
        cycles = len(queries.state_of(adoption).cycles)
        target(float(len(adoption.events) + 10 * cycles), label="events and cycles")
        reached = adoption.current_stage
        target(float(STAGE_ORDER.index(reached) if reached else -1), label="stage reached")
    finally:
        nested.rollback()
