"""The import graph between packages holds the architecture: no domain reaches into the web
layer, packages use each other only through their declared public modules, and no two
packages (or top-level modules) import each other, directly or round a longer loop.

Every import counts, also those inside functions: a lazy import hides a cycle, it does not
remove it.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

from perdes.config import PROJECT_ROOT

PERDES = PROJECT_ROOT / "perdes"
PACKAGES = sorted(p.name for p in PERDES.iterdir() if (p / "__init__.py").exists())
DOMAINS = [p for p in PACKAGES if p != "web"]

# What other domain packages may import from each package. Anything else is private to it.
PUBLIC: dict[str, frozenset[str]] = {
    "accounts": frozenset(
        {"audit", "models", "permissions", "principal", "selfservice", "services"}
    ),
    "checklist": frozenset(
        {"derived", "loading", "models", "registry", "scoring", "services", "store", "validity"}
    ),
    "demo": frozenset(),
    # companions: what the tracker asks of a Perkades/Kepdes; stepdocs: step-document templates;
    # village: a village's drafting context from its profile.
    "drafting": frozenset({"workspace", "companions", "stepdocs", "village"}),
    "exchange": frozenset({"status", "jdihn", "public"}),
    "home": frozenset(),
    "jobs": frozenset(),
    "mail": frozenset({"models", "outbox", "sender"}),
    "monitoring": frozenset({"models", "services", "targets"}),
    "notifications": frozenset({"digests", "reminders", "services"}),
    "profiles": frozenset({"services"}),
    "stepdocs": frozenset({"services"}),
    "regions": frozenset({"codes", "eligibility", "importer", "models", "scope", "services"}),
    "register": frozenset(
        {
            "basis",
            "crypto",
            "episodes",
            "figures",
            "models",
            "nik",
            "rekey",
            "retention",
            "services",
            "suppression",
        }
    ),
    "tracking": frozenset(
        {
            "after_the_fact",
            "deadlines",
            "kinds",
            "links",
            "models",
            "queries",
            "services",
            "stages",
            "standing",
        }
    ),
}


def node(module: str) -> str | None:
    """The package or top-level module of ``perdes.x.y`` (None outside the project)."""
    parts = module.split(".")
    if parts[0] != "perdes" or len(parts) < 2:
        return None
    name = parts[1]
    if (PERDES / name).is_dir() or (PERDES / f"{name}.py").exists():
        return name
    return None  # an attribute of perdes/__init__.py (``__version__``)


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(PROJECT_ROOT).with_suffix("").parts).removesuffix(".__init__")


def imported(path: Path) -> Iterator[str]:
    """Every ``perdes...`` module (or module attribute) that ``path`` imports, anywhere in it."""
    for item in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(item, ast.Import):
            yield from (a.name for a in item.names)
        elif isinstance(item, ast.ImportFrom) and item.module:
            base = item.module
            if item.level:
                package = module_name(path).split(".")
                base = ".".join(package[: len(package) - item.level + 1]) + "." + base
            yield base
            yield from (f"{base}.{a.name}" for a in item.names)


def graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = defaultdict(set)
    for path in PERDES.rglob("*.py"):
        source = node(module_name(path))
        if source is None:
            continue  # perdes/__init__.py: the version, nothing else
        for target in filter(None, map(node, imported(path))):
            if target != source:
                edges[source].add(target)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle_between_packages():
    assert cycles(graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


@pytest.mark.parametrize("package", DOMAINS)
def test_domain_packages_never_import_the_web_layer(package: str):
    for path in (PERDES / package).rglob("*.py"):
        bad = [m for m in imported(path) if m == "perdes.web" or m.startswith("perdes.web.")]
        assert not bad, f"{path.relative_to(PROJECT_ROOT)} imports {bad}"


def test_every_package_declares_its_public_modules():
    assert set(PUBLIC) == set(DOMAINS)


@pytest.mark.parametrize("package", DOMAINS)
def test_domains_use_each_other_only_through_public_modules(package: str):
    for path in (PERDES / package).rglob("*.py"):
        for module in imported(path):
            parts = module.split(".")
            target = node(module)
            if target is None or target == package or target not in PUBLIC or len(parts) < 3:
                continue
            assert parts[2] in PUBLIC[target], (
                f"{path.relative_to(PROJECT_ROOT)} imports {module}: "
                f"{target} offers only {sorted(PUBLIC[target])}"
            )


def defines_router(path: Path) -> bool:
    """A route module: it assigns ``router`` at module level."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(
        isinstance(item, ast.Assign) and any(getattr(t, "id", "") == "router" for t in item.targets)
        for item in tree.body
    )


ROUTE_MODULES = {
    module_name(path): path for path in (PERDES / "web").rglob("*.py") if defines_router(path)
}


def test_route_modules_are_found():
    assert "perdes.web.routes.tracking" in ROUTE_MODULES
    assert "perdes.web.api.drafts" in ROUTE_MODULES
    assert "perdes.web.api.common" not in ROUTE_MODULES


@pytest.mark.parametrize("module", sorted(ROUTE_MODULES))
def test_route_modules_never_import_each_other(module: str):
    """What two route modules share lives in a neutral module (``perdes.web.sections``,
    ``perdes.web.exports``, ``perdes.web.api.common``), so each page can change alone."""
    bad = [
        m
        for m in imported(ROUTE_MODULES[module])
        if m != module and any(m == r or m.startswith(r + ".") for r in ROUTE_MODULES)
    ]
    assert not bad, f"{module} imports route module(s) {bad}"
