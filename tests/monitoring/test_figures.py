"""Dashboard aggregates equal the same numbers computed from scratch; scope at every level."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from perdes.accounts.services import principal_for
from perdes.checklist.models import ChecklistVillageTotal
from perdes.errors import NotFound, OutOfScope
from perdes.monitoring import rollup, services
from perdes.monitoring.figures import NOT_STARTED
from perdes.monitoring.services import VillageFilter
from perdes.regions.models import Region, RegionLevel, VillageKind
from perdes.tracking.stages import PROMULGATED, STAGE_ORDER, Stage
from tests.factories import KELURAHAN, LONTAR, PONTANG, SUKRA, SUSUKAN, make_user
from tests.monitoring.helpers import set_state

TODAY = date(2026, 11, 27)


def villages(db) -> list[Region]:
    return list(
        db.scalars(select(Region).where(Region.level == RegionLevel.DESA).order_by(Region.code))
    )


state = st.tuples(
    st.booleans(),  # started
    st.one_of(st.none(), st.sampled_from(STAGE_ORDER)),
    st.one_of(st.none(), st.integers(-20, 20)),  # deadline offset from today
    st.one_of(st.none(), st.floats(0, 100, allow_nan=False)),
    st.booleans(),  # qualified
    st.integers(0, 3),  # waiting
    st.booleans(),  # has a checklist total
    st.one_of(st.none(), st.none(), st.sampled_from(STAGE_ORDER)),  # an earlier adoption
)


@settings(
    max_examples=25,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_aggregates_equal_a_fold_from_scratch(db, regions, data):
    all_villages = villages(db)
    admin = principal_for(make_user(db, "admin"))
    nested = db.begin_nested()
    try:
        states = {}
        for village in all_villages:
            started, stage, offset, score, qualified, waiting, has_total, earlier = data.draw(state)
            deadline = TODAY + timedelta(days=offset) if offset is not None else None
            if started and earlier is not None:
                # superseded by the adoption below: must not count
                set_state(db, village.code, stage=earlier, deadline=TODAY - timedelta(days=9))
                db.execute(
                    delete(ChecklistVillageTotal).where(
                        ChecklistVillageTotal.village_code == village.code
                    )
                )
            set_state(
                db,
                village.code,
                stage=stage,
                started=started,
                deadline=deadline,
                score=score,
                qualified=qualified,
                waiting=waiting,
                with_total=has_total,
            )
            in_force = started and (stage in PROMULGATED or earlier in PROMULGATED)
            states[village.code] = (
                started, stage, deadline, score, qualified, waiting, has_total, in_force
            )  # fmt: skip
        rollup.rebuild(db)  # rows were written directly, not through the services
        for code in (None, "36", "36.04", "36.04.13", "32.12"):
            board = services.dashboard(db, actor=admin, code=code, today=TODAY)
            inside = [v for v in all_villages if code is None or v.code.startswith(code + ".")]
            desa = [v for v in inside if v.village_kind is not VillageKind.KELURAHAN]
            expected_stages = dict.fromkeys([NOT_STARTED, *(s.value for s in STAGE_ORDER)], 0)
            promulgated = overdue = qualified_n = waiting_n = 0
            scores = []
            for v in desa:
                started, stage, deadline, score, qualified, waiting, has_total, in_force = states[
                    v.code
                ]
                key = stage.value if started and stage else NOT_STARTED
                expected_stages[key] += 1
                promulgated += in_force
                overdue += started and deadline is not None and deadline < TODAY
                if has_total:
                    qualified_n += qualified
                    waiting_n += waiting > 0
                    if score is not None:
                        scores.append(score)
            t = board.total
            assert t.desa == len(desa)
            assert t.kelurahan == len(inside) - len(desa)
            assert t.stages == expected_stages
            assert (t.promulgated, t.overdue, t.qualified, t.waiting) == (
                promulgated,
                overdue,
                qualified_n,
                waiting_n,
            )
            if scores:
                assert t.mean_score == pytest.approx(sum(scores) / len(scores), abs=0.051)
            else:
                assert t.mean_score is None
            assert sum(c.desa for c in board.children) == t.desa
    finally:
        nested.rollback()


@pytest.mark.parametrize("code", [None, "36.04", "36.04.13"])  # rollup sums and live SQL
def test_latest_adoption_gives_the_stage_and_any_promulgated_one_counts(db, regions, code):
    """A promulgated Perdes and a newer one in progress: the funnel shows the new one's stage,
    the Perdes in force still counts as promulgated (``tracking.standing``)."""
    admin = principal_for(make_user(db, "admin"))
    set_state(db, LONTAR, stage=Stage.DISEBARLUASKAN, with_total=False)
    set_state(db, LONTAR, stage=Stage.PENYUSUNAN, with_total=False)
    board = services.dashboard(db, actor=admin, code=code, today=TODAY)
    assert board.total.stages[Stage.PENYUSUNAN.value] == 1
    assert board.total.stages[Stage.DISEBARLUASKAN.value] == 0
    assert board.total.promulgated == 1


def test_mean_score_is_empty_without_any_score(db, regions):
    """No checklist score anywhere: the mean is absent (shown as "–"), not 0,0."""
    admin = principal_for(make_user(db, "admin"))
    set_state(db, LONTAR, stage=Stage.PENYUSUNAN, with_total=False)
    for code in (None, "36.04", "36.04.13"):
        board = services.dashboard(db, actor=admin, code=code, today=TODAY)
        assert board.total.mean_score is None
        assert all(c.mean_score is None for c in board.children)
    set_state(db, SUSUKAN, stage=None, started=False, score=0.0)
    board = services.dashboard(db, actor=admin, code="36.04.13", today=TODAY)
    assert board.total.mean_score == 0.0


def test_levels_children_and_breadcrumbs(db, regions):
    admin = principal_for(make_user(db, "admin"))
    national = services.dashboard(db, actor=admin, today=TODAY)
    assert [c.code for c in national.children] == ["32", "36"]
    assert national.crumbs[0].name == "Indonesia"
    kab = services.dashboard(db, actor=admin, code="36.04", today=TODAY)
    assert {c.code for c in kab.children} == {"36.04.12", "36.04.13", "36.04.14"}
    assert [c.code for c in kab.crumbs] == [None, "36", "36.04"]
    kec = services.dashboard(db, actor=admin, code="36.04.13", today=TODAY)
    assert kec.child_level is RegionLevel.DESA
    with pytest.raises(NotFound):
        services.dashboard(db, actor=admin, code=LONTAR)
    desc = services.dashboard(db, actor=admin, code="36.04", sort="nama", descending=True)
    names = [c.name.lower() for c in desc.children]
    assert names == sorted(names, reverse=True)


def test_kelurahan_counted_apart(db, regions):
    admin = principal_for(make_user(db, "admin"))
    board = services.dashboard(db, actor=admin, code="36.71", today=TODAY)
    assert (board.total.desa, board.total.kelurahan) == (0, 1)
    assert board.total.promulgated_share is None


@pytest.mark.parametrize("code", [None, "36"])
def test_scope_shows_only_the_part_inside(db, regions, code):
    set_state(db, SUKRA, stage=Stage.DIUNDANGKAN)
    set_state(db, LONTAR, stage=Stage.PENYUSUNAN)
    monitor = principal_for(make_user(db, "pemantau", ("36.04",)))
    board = services.dashboard(db, actor=monitor, code=code, today=TODAY)
    assert board.partial
    assert board.total.promulgated == 0
    assert board.total.kelurahan == 0  # the kelurahan lies in Kota Tangerang, outside
    assert all(c.code.startswith("36") for c in board.children)
    assert board.total.stages[Stage.PENYUSUNAN.value] == 1


def test_monitor_of_one_kecamatan_never_sees_another(db, regions):
    set_state(db, PONTANG, stage=Stage.DIUNDANGKAN, deadline=TODAY - timedelta(days=3))
    monitor = principal_for(make_user(db, "pemantau", ("36.04.13",)))
    for code in (None, "36", "36.04", "36.04.13"):
        board = services.dashboard(db, actor=monitor, code=code, today=TODAY)
        assert board.total.promulgated == 0 and board.total.overdue == 0
        assert "36.04.12" not in {c.code for c in board.children}
        assert all(r.village_code != PONTANG for r in board.recent)
    for code in ("36.04.12", "32", "32.12", "36.71", "99"):
        with pytest.raises(NotFound):
            services.dashboard(db, actor=monitor, code=code)
    page = services.list_villages(db, actor=monitor, filters=VillageFilter(), today=TODAY)
    assert page.total and all(v.code.startswith("36.04.13.") for v in page.items)
    with pytest.raises(NotFound):
        services.list_villages(db, actor=monitor, filters=VillageFilter(region_code="36.04.12"))


@pytest.mark.parametrize("role", ["operator", "pendamping"])
def test_village_roles_are_refused(db, regions, role):
    actor = principal_for(make_user(db, role))
    with pytest.raises(OutOfScope):
        services.dashboard(db, actor=actor)
    with pytest.raises(OutOfScope):
        services.list_villages(db, actor=actor, filters=VillageFilter())


def test_lists_filter_and_paginate(db, regions):
    admin = principal_for(make_user(db, "admin"))
    set_state(db, LONTAR, stage=Stage.DISERAHKAN, deadline=TODAY - timedelta(days=1), waiting=2)
    set_state(db, SUSUKAN, stage=Stage.DIUNDANGKAN, score=100.0, qualified=True)
    set_state(db, PONTANG, stage=Stage.DIRENCANAKAN, deadline=TODAY + timedelta(days=5))

    def codes(kind: str, **kw: str) -> list[str]:
        page = services.list_villages(
            db, actor=admin, filters=VillageFilter(kind=kind, **kw), today=TODAY
        )
        return [v.code for v in page.items]

    assert codes("terlambat") == [LONTAR]
    assert codes("memenuhi") == [SUSUKAN]
    assert codes("menunggu") == [LONTAR]
    not_started = codes("belum_mulai", region_code="36.04")
    assert LONTAR not in not_started and PONTANG not in not_started and not_started
    assert KELURAHAN not in codes("belum_mulai")
    assert codes("semua", query="lont") == [LONTAR]
    assert codes("semua", query="%") == []
    assert codes("semua", stage="diundangkan") == [SUSUKAN]
    first = services.list_villages(db, actor=admin, filters=VillageFilter(), per_page=5)
    second = services.list_villages(db, actor=admin, filters=VillageFilter(), page=2, per_page=5)
    assert first.total == second.total > 10 and first.pages == -(-first.total // 5)
    assert not {v.code for v in first.items} & {v.code for v in second.items}
    every = list(services.iter_villages(db, actor=admin, filters=VillageFilter(), today=TODAY))
    assert len(every) == first.total
