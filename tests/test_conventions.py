"""Cheap checks of the house rules: templates compile, url names exist, layers stay apart."""

from __future__ import annotations

import ast
import enum
import importlib
import re
from pathlib import Path

import pytest
from fastapi.routing import APIRoute

from perdes.config import PROJECT_ROOT
from perdes.web.app import ROUTE_MODULES
from perdes.web.templating import make_templates

# the pages, not the legal-text templates in templates/perdes/ (judged by the path inside
# templates/: a checkout in a folder named "perdes" must not lose every page)
PAGE_TEMPLATES = sorted(
    p
    for p in (PROJECT_ROOT / "templates").rglob("*.html")
    if p.relative_to(PROJECT_ROOT / "templates").parts[0] != "perdes"
)
assert PAGE_TEMPLATES, "no page template found"
DOMAIN_PACKAGES = [
    p
    for p in (PROJECT_ROOT / "perdes").iterdir()
    if p.is_dir() and p.name not in ("web", "__pycache__")
]
WEB_FRAMEWORKS = ("fastapi", "starlette", "jinja2", "jinja2_fragments")
ROUTE_NAMES = {r.name for m in ROUTE_MODULES for r in m.router.routes if isinstance(r, APIRoute)}


@pytest.mark.parametrize("path", PAGE_TEMPLATES, ids=lambda p: str(p.relative_to(PROJECT_ROOT)))
def test_every_page_template_compiles_and_names_existing_routes(path: Path):
    env = make_templates().env
    env.get_template(str(path.relative_to(PROJECT_ROOT / "templates")))
    text = path.read_text(encoding="utf-8")
    for name in re.findall(r"path_(?:for|prefix)\('([a-z_]+)'", text):
        assert name in ROUTE_NAMES | {"static"}, f"{path.name}: unknown route {name}"
    assert not re.search(r'(href|action|hx-(get|post))="/(?!/)', text), f"{path.name}: literal path"
    assert "<script>" not in text and " style=" not in text, f"{path.name}: inline script/style"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", DOMAIN_PACKAGES, ids=lambda p: p.name)
def test_domain_packages_import_no_web_framework(package: Path):
    for module in package.rglob("*.py"):
        bad = _imports(module) & set(WEB_FRAMEWORKS)
        if package.name in ("drafting", "stepdocs"):
            bad -= {"jinja2"}  # template text is Jinja, rendered in a sandbox without HTTP
        if package.name == "mail":
            bad -= {"jinja2"}  # mail has its own environment over templates/mail/, no HTTP
        assert not bad, f"{module.relative_to(PROJECT_ROOT)} imports {bad}"


def test_top_level_domain_modules_import_no_web_framework():
    for module in (PROJECT_ROOT / "perdes").glob("*.py"):
        assert not _imports(module) & set(WEB_FRAMEWORKS), module.name


def test_typing_is_strict_and_every_ignore_says_why():
    import re
    import tomllib

    mypy = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "mypy"
    ]
    assert mypy["strict"] and mypy["warn_unused_ignores"]
    assert "ignore_missing_imports" not in mypy, "per module, with a reason, in overrides"
    for path in (PROJECT_ROOT / "perdes").rglob("*.py"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "type: ignore" in line:
                assert re.search(r"# type: ignore\[[a-z-, ]+\]  # \S", line), (
                    f"{path.relative_to(PROJECT_ROOT)}:{number}: a type: ignore needs its code "
                    "and a reason"
                )


def _domain_enums() -> list[type[enum.StrEnum]]:
    found: dict[str, type[enum.StrEnum]] = {}
    for path in sorted((PROJECT_ROOT / "perdes").rglob("*.py")):
        if "web" in path.relative_to(PROJECT_ROOT / "perdes").parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        classes = [
            c.name
            for c in tree.body
            if isinstance(c, ast.ClassDef)
            and any(getattr(b, "id", "") == "StrEnum" for b in c.bases)
        ]
        if classes:
            module_name = ".".join(path.relative_to(PROJECT_ROOT).with_suffix("").parts)
            module = importlib.import_module(module_name)
            for name in classes:
                found[f"{module_name}.{name}"] = getattr(module, name)
    return [found[k] for k in sorted(found)]


DOMAIN_ENUMS = _domain_enums()


def test_domain_enums_are_found():
    names = {e.__name__ for e in DOMAIN_ENUMS}
    assert {"Stage", "EventKind", "ItemEventKind", "DeadlineKind", "Role", "MailStatus"} <= names


@pytest.mark.parametrize("enum_class", DOMAIN_ENUMS, ids=lambda e: e.__name__)
def test_enum_members_are_named_after_their_stored_value(enum_class: type[enum.StrEnum]):
    """One rule for every enum: the member's name spells its stored value in capitals (the
    leading words where the value is long, KONSULTASI for ``konsultasi_masyarakat``). Legal
    terms stay Indonesian in code as in the data; technical states stay English in both."""
    for member in enum_class:
        value = member.value.upper()
        assert value == member.name or value.startswith(member.name + "_"), (
            f"{enum_class.__name__}.{member.name} stores {member.value!r}"
        )


def _naive_today_calls(tree: ast.AST) -> list[int]:
    """Lines calling ``date.today()``, ``datetime.today()`` or ``datetime.now()`` without a
    zone: the server's own date, which is yesterday's in WIB until 07:00."""
    lines = []
    for call in ast.walk(tree):
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)):
            continue
        owner = call.func.value
        if not (isinstance(owner, ast.Name) and owner.id in ("date", "datetime")):
            continue
        if call.func.attr == "today" or (
            call.func.attr == "now" and not call.args and not call.keywords
        ):
            lines.append(call.lineno)
    return lines


def test_today_is_always_the_date_in_wib():
    found = {
        str(path.relative_to(PROJECT_ROOT)): lines
        for path in (PROJECT_ROOT / "perdes").rglob("*.py")
        if (lines := _naive_today_calls(ast.parse(path.read_text(encoding="utf-8"))))
    }
    assert found == {}, f"use perdes.clock.local_today(): {found}"
    planted = ast.parse("from datetime import date\nyear = date.today().year\n")
    assert _naive_today_calls(planted) == [2]


def test_every_input_names_its_type():
    """app.css styles text fields by type (16 px text, full width: a phone zooms in on smaller
    ones); an <input> without a type got none of it (the region-code fields of the monitoring
    lists were 21 px tall)."""
    untyped = []
    for path in sorted((PROJECT_ROOT / "templates").rglob("*.html")):
        for tag in re.findall(r"<input\b[^>]*>", path.read_text(encoding="utf-8")):
            if not re.search(r"\stype=", tag):
                untyped.append(f"{path.relative_to(PROJECT_ROOT)}: {tag}")
    assert not untyped, untyped


def _audit_literals() -> tuple[set[str], set[str]]:
    """The actions and entities written as literals in ``audit.…(action=…, entity=…)``."""
    actions: set[str] = set()
    entities: set[str] = set()
    for path in (PROJECT_ROOT / "perdes").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "audit"
            ):
                continue
            for keyword in node.keywords:
                if isinstance(keyword.value, ast.Constant) and isinstance(keyword.value.value, str):
                    if keyword.arg == "action":
                        actions.add(keyword.value.value)
                    elif keyword.arg == "entity":
                        entities.add(keyword.value.value)
    return actions, entities


def test_every_audited_action_and_entity_reads_in_indonesian():
    """The audit log said "import", "accept invitation", "league threshold": each action and
    entity the code records has its words in the glossary (the page shows them)."""
    from perdes.tracking.models import EventKind
    from perdes.web.glossary import AUDIT_ACTIONS, AUDIT_ENTITIES, in_words

    actions, entities = _audit_literals()
    assert len(actions) > 20 and len(entities) > 15  # the scan finds the calls
    actions |= {"accept_invitation", "reset_password"} | {k.value for k in EventKind} - {"langkah"}
    assert sorted(actions - set(AUDIT_ACTIONS)) == []
    assert sorted(entities - set(AUDIT_ENTITIES)) == []
    # and a value that is a list or a mapping is written out, never as a Python literal
    assert in_words(["36.04.13.2007", "36.04.13.2008"]) == "36.04.13.2007, 36.04.13.2008"
    assert in_words({"days": 30}) == "jumlah hari: 30"
