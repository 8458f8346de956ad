"""Every write service leaves an audit entry: the list of write services is generated from the
code, not kept by hand.

A *write service* is a public function of a domain package that takes the acting ``actor``,
checks a write permission (``actor.require`` of an action other than ``*.view``) and adds,
deletes or flushes rows or changes a loaded row's attributes (itself or through the
functions it calls); helpers whose callers check and audit are not entry points. Each must reach
``audit.record`` on its way (itself or through a helper such as ``store.audit_answer``).
Calls are resolved by name across the domain packages, which over-approximates what a
function may call; the service-level audit test (``test_audit_coverage.py``) checks the
entries themselves for the main writes.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass, field

import pytest

from perdes.accounts.permissions import PERMISSIONS
from perdes.config import PROJECT_ROOT

PERDES = PROJECT_ROOT / "perdes"
DOMAINS = [p for p in PERDES.iterdir() if (p / "__init__.py").exists() and p.name != "web"]
WRITES = {"add", "add_all", "delete", "flush"}
WRITE_ACTIONS = {a for a in PERMISSIONS if not a.endswith(".view")}
# Writes that are not a user's act on the data: the audit log itself, login bookkeeping and
# the derived data the pipeline recomputes (each audited where a row a user sees changes).
NOT_AUDITED = {
    "perdes.accounts.audit.record",  # the audit log itself
    # the register's access log: a record of reads, itself the register's audit of them
    "perdes.register.services.log_access",
}


@dataclass
class Function:
    qualname: str
    public: bool
    has_actor: bool
    calls: set[str] = field(default_factory=set)
    writes: bool = False
    audits: bool = False
    checks: bool = False


def collect() -> tuple[dict[str, Function], dict[str, list[Function]]]:
    functions: dict[str, Function] = {}
    by_name: dict[str, list[Function]] = defaultdict(list)
    for package in DOMAINS:
        for path in package.rglob("*.py"):
            module = ".".join(path.relative_to(PROJECT_ROOT).with_suffix("").parts)
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for item in tree.body:
                if not isinstance(item, ast.FunctionDef):
                    continue
                args = [a.arg for a in (*item.args.args, *item.args.kwonlyargs)]
                fn = Function(
                    qualname=f"{module}.{item.name}",
                    public=not item.name.startswith("_"),
                    has_actor="actor" in args and "session" in args,
                )
                for sub in ast.walk(item):
                    if not isinstance(sub, ast.Call):
                        continue
                    target = sub.func
                    if isinstance(target, ast.Attribute):
                        owner = target.value
                        if isinstance(owner, ast.Name) and owner.id == "audit":
                            fn.audits |= target.attr == "record"
                        if isinstance(owner, ast.Name) and owner.id == "session":
                            fn.writes |= target.attr in WRITES
                        if isinstance(owner, ast.Name) and owner.id == "actor":
                            fn.checks |= target.attr == "require" and any(
                                isinstance(a, ast.Constant) and a.value in WRITE_ACTIONS
                                for a in sub.args
                            )
                        fn.calls.add(target.attr)
                    elif isinstance(target, ast.Name):
                        fn.calls.add(target.id)
                        fn.writes |= target.id == "setattr"
                for sub in ast.walk(item):
                    # a changed attribute of a loaded row is written at the next flush
                    if isinstance(sub, ast.Assign | ast.AugAssign):
                        targets = sub.targets if isinstance(sub, ast.Assign) else [sub.target]
                        fn.writes |= any(isinstance(t, ast.Attribute) for t in targets)
                    # ``_check(..., action="checklist.answer")``: the helper requires it
                    if isinstance(sub, ast.keyword) and sub.arg == "action":
                        value = sub.value
                        if isinstance(value, ast.Constant) and value.value in WRITE_ACTIONS:
                            fn.checks = True
                functions[fn.qualname] = fn
                by_name[item.name].append(fn)
    return functions, by_name


def closure(fn: Function, by_name: dict[str, list[Function]], attr: str) -> bool:
    seen: set[str] = set()
    todo = [fn]
    while todo:
        current = todo.pop()
        if current.qualname in seen or current.qualname in NOT_AUDITED:
            continue
        seen.add(current.qualname)
        if getattr(current, attr):
            return True
        for name in current.calls:
            todo.extend(by_name.get(name, ()))
    return False


FUNCTIONS, BY_NAME = collect()
WRITE_SERVICES = sorted(
    fn.qualname
    for fn in FUNCTIONS.values()
    if fn.public
    and fn.has_actor
    and closure(fn, BY_NAME, "checks")
    and closure(fn, BY_NAME, "writes")
)


def test_the_write_services_are_found():
    """The generator sees the writes the issue named (profile edits, comments, target lists)."""
    for name in (
        "perdes.profiles.services.update_profile",
        "perdes.tracking.services.record_step",
        "perdes.checklist.services.answer_item",
        "perdes.monitoring.targets.create_target",
        "perdes.monitoring.targets.add_village",
        "perdes.drafting.workspace.services.add_comment",
        "perdes.drafting.workspace.services.mark_revision",
        "perdes.accounts.tokens.revoke_token",
    ):
        assert name in WRITE_SERVICES, name


@pytest.mark.parametrize("qualname", WRITE_SERVICES)
def test_every_write_service_reaches_the_audit_log(qualname: str):
    assert closure(FUNCTIONS[qualname], BY_NAME, "audits"), f"{qualname} writes without audit"
