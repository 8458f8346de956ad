"""The framework field ``conditional_rule`` (derive from the register where the village keeps
one) and the shipped v3 that uses it: every problem is reported with its path and line."""

from __future__ import annotations

import pytest

from perdes import events
from perdes.checklist import facts, versions
from perdes.checklist.framework import (
    bundled_files,
    content_hash,
    from_data,
    load_framework_file,
    parse_framework,
    to_data,
)
from tests.checklist.test_framework import GOOD, GOOD2, problems

WHEN = "{fact: register.kept, params: {min_persons: 1, days: 3650}}"
BOUND = GOOD2.replace(
    "        dme_pillar: aman\n",
    "        dme_pillar: aman\n"
    "        conditional_rule:\n"
    f"          when: {WHEN}\n"
    "          then: {fact: register.movements_recorded, params: {days: 365}}\n",
    1,
)
V2, V3 = (load_framework_file(p) for p in bundled_files()[1:3])


def test_a_conditional_rule_is_parsed_and_survives_the_stored_json():
    framework = parse_framework(BOUND)
    cond = framework.item("a").conditional
    assert cond is not None and framework.item("a").rule is None
    assert (cond.when.fact, dict(cond.when.params)) == (
        "register.kept", {"min_persons": 1, "days": 3650},
    )  # fmt: skip
    assert (cond.then.fact, dict(cond.then.params)) == ("register.movements_recorded",
                                                        {"days": 365})  # fmt: skip
    again = from_data(to_data(framework))
    assert again == framework and content_hash(again) == content_hash(framework)
    assert "conditional_rule" not in to_data(parse_framework(GOOD2))["pillars"][0]["items"][0]


THEN = "          then: {fact: register.movements_recorded, params: {days: 365}}\n"
PATH = "pillars[0].items[0].conditional_rule"


@pytest.mark.parametrize(
    ("old", "new", "path", "message"),
    [
        (THEN, "          then: {fact: register.hilang}\n", f"{PATH}.then.fact",
         "fakta tidak dikenal"),
        (f"          when: {WHEN}\n", "          when: {fact: register.entah}\n",
         f"{PATH}.when.fact", "fakta tidak dikenal"),
        (f"          when: {WHEN}\n", "          when: {fact: tracker.promulgated}\n",
         f"{PATH}.when.fact", "menyimpan sumber data (register.kept)"),
        (THEN, "", f"{PATH}.then", "wajib diisi"),
        (THEN, "          then:\n", f"{PATH}.then", "wajib diisi"),
        (THEN, "          then: {fact: register.movements_recorded}\n",
         f"{PATH}.then.params.days", "parameter wajib diisi"),
        (THEN, "          then: {fact: register.movements_recorded, params: {days: 0}}\n",
         f"{PATH}.then.params.days", "harus antara 1 dan 3650"),
        (THEN, "          then: {fact: register.movements_recorded, params: {hari: 3}}\n",
         f"{PATH}.then.params.hari", "parameter tidak dikenal"),
        (THEN, f"          then: {WHEN}\n", f"{PATH}.then", "turunan melingkar"),
        (THEN, "          then: {fact: tracker.promulgated}\n", f"{PATH}.then.fact",
         "tidak memberi angka dasar"),
        (THEN, THEN + "          else: {fact: register.kept}\n", f"{PATH}.else",
         "kunci tidak dikenal"),
        ("        validity: {months: 12}\n", "        validity: none\n",
         "pillars[0].items[0].validity", "{months: N}"),
        ("        dme_pillar: aman\n",
         "        dme_pillar: aman\n        future_rule: Nanti dari register.\n",
         "pillars[0].items[0].future_rule", "hapus future_rule"),
        ("        dme_pillar: aman\n",
         "        dme_pillar: aman\n        rule: {fact: tracker.promulgated}\n",
         PATH, "pilih rule atau conditional_rule"),
    ],
)  # fmt: skip
def test_bad_conditional_rules_are_reported_where_they_are(old, new, path, message):
    assert old in BOUND
    found = problems(BOUND.replace(old, new, 1))
    by_path = {p.path: p for p in found}
    assert path in by_path, [str(p) for p in found]
    problem = by_path[path]
    assert message in problem.message and problem.item_id == "a" and problem.line
    assert str(problem).startswith(f"uji.yaml:{problem.line}: {path} (butir a): ")


def test_the_outcome_item_needs_a_fact_that_carries_its_counts():
    outcome = BOUND.replace("        dme_pillar: aman\n", "        dme_pillar: aman\n"
                            "        outcome: true\n", 1)  # fmt: skip
    [problem] = problems(outcome)
    assert problem.path == f"{PATH}.then.fact" and "register.departures_12m" in problem.message
    fine = outcome.replace(THEN, "          then: {fact: register.departures_12m}\n")
    assert parse_framework(fine).item("a").conditional is not None


def test_a_fact_fed_by_the_checklist_itself_is_a_cycle(monkeypatch):
    looping = facts.Fact(
        "checklist.items_verified", "Butir lain diverifikasi", lambda s, c, p: True,
        (events.Change.CHECKLIST,), find=lambda s, c, p: facts.Finding(True),
    )  # fmt: skip
    monkeypatch.setitem(facts.FACTS, looping.name, looping)
    found = problems(BOUND.replace(THEN, "          then: {fact: checklist.items_verified}\n"))
    assert [p.path for p in found] == [f"{PATH}.then.fact"]
    assert "turunan melingkar" in found[0].message


def test_conditional_rules_are_unknown_in_format_1():
    text = GOOD.replace(
        "mandatory: true", f"mandatory: true\n        conditional_rule:\n          when: {WHEN}"
    )
    assert "pillars[0].items[0].conditional_rule" in {p.path for p in problems(text)}


# --- the shipped v3 -----------------------------------------------------------------------------

BOUND_ITEMS = {
    "pendataan-pmi": "register.records_verified",
    "pemantauan-keberangkatan-kepulangan": "register.movements_recorded",
    "keberangkatan-prosedural": "register.departures_12m",
    "pelaporan-nonprosedural": "register.nonprocedural_reported",
    "reintegrasi-purna": "register.returns_followed_up",
    "layanan-pengaduan": "register.cases_referred",
}


def test_v3_binds_the_register_items_and_keeps_everything_else_of_v2():
    assert (V3.version, V3.format, V3.item_ids) == (3, 2, V2.item_ids)
    assert V3.sources == V2.sources
    for new in V3.items():
        old = V2.item(new.id)
        assert old is not None
        assert (new.title, new.weight, new.mandatory, new.rule) == (
            old.title, old.weight, old.mandatory, old.rule,
        )  # fmt: skip
        x, y = new.extras, old.extras
        assert (x.citations, x.pasal_42, x.evidence_rules, x.validity, x.dme_pillar,
                x.outcome) == (y.citations, y.pasal_42, y.evidence_rules, y.validity,
                               y.dme_pillar, y.outcome)  # fmt: skip
        if new.id in BOUND_ITEMS:
            assert new.conditional is not None
            assert new.conditional.when.fact == "register.kept"
            assert new.conditional.then.fact == BOUND_ITEMS[new.id]
            assert not x.future_rule and y.future_rule, "the note became the rule"
        else:
            assert new.conditional is None and x.future_rule == y.future_rule
    # still answered by hand: the register records neither visits nor the data rules
    assert {i.id for i in V3.items() if i.extras.future_rule} == {
        "kunjungan-keluarga-pmi", "pelindungan-data-pendataan",
    }  # fmt: skip


def test_the_upgrade_plan_v2_to_v3_keeps_every_item_and_rechecks_only_the_changed_one():
    plan = versions.plan(V2, V3)
    assert plan.recheck == ("pendataan-pmi",)  # its requirement now includes documents
    assert set(plan.kept) == set(V2.item_ids) - {"pendataan-pmi"}
    assert plan.archived == () and plan.added == ()
