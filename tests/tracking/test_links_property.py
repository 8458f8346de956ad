"""Property: whatever links are attempted among a village's products, the stored links never
form a cycle or a self-link, and a link is accepted exactly when it would not close one."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from perdes.errors import ValidationFailed
from perdes.tracking import links, services
from perdes.tracking.models import LegalProductLink
from tests.factories import LONTAR

N = 5
attempts = st.lists(
    st.tuples(
        st.integers(0, N - 1), st.integers(0, N - 1), st.sampled_from(["mengubah", "mencabut"])
    ),
    max_size=15,
)


def _reaches(edges: set[tuple[int, int]], start: int, goal: int) -> bool:
    seen, stack = set(), [start]
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        if node not in seen:
            seen.add(node)
            stack.extend(t for s, t in edges if s == node)
    return False


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(attempts)
def test_random_links_never_form_a_cycle(db, operator, sequence):
    nested = db.begin_nested()
    try:
        products = [
            services.start_adoption(
                db, actor=operator, village_code=LONTAR, kind="perkades", title=f"P{i}"
            ).id
            for i in range(N)
        ]
        expected: set[tuple[int, int]] = set()
        for source, target, kind in sequence:
            s, t = products[source], products[target]
            ok = s != t and (s, t) not in expected and not _reaches(expected, t, s)
            try:
                links.add_link(
                    db, actor=operator, village_code=LONTAR, source_id=s,
                    data={"target_id": t, "kind": kind},
                )  # fmt: skip
                accepted = True
            except ValidationFailed:
                accepted = False
            assert accepted == ok, (source, target)
            if ok:
                expected.add((s, t))
        rows = db.execute(select(LegalProductLink.source_id, LegalProductLink.target_id))
        stored = {(s, t) for s, t in rows}
        assert stored == expected
        assert all(not _reaches(stored - {(s, t)}, t, s) for s, t in stored), "acyclic"
    finally:
        nested.rollback()
