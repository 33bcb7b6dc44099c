"""Issue #12, must-show 1: app boundaries that one glance reads.

The import graph is read from the code (every ``import`` of every module of every app, however deep in a
function), not from a list: there is no cycle between apps, ``core`` imports no domain app, and every app
imports only apps below it in ``LAYERS``, the map of docs/architecture.md. A new app must be placed in the
map; an import upwards fails with the line that made it.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

import huxiao

ROOT = Path(huxiao.__file__).resolve().parent

# Lowest first. An app may import the apps before it, never one after it (docs/architecture.md, "Map").
LAYERS = ["core", "compliance", "notify", "timetable", "devices", "hazards", "buses", "risk", "force", "emergency",
          "inspections", "surroundings", "gate", "alarms", "dashboard", "demo"]
# Apps that nothing may import: they compose the others.
TOPS = {"dashboard", "demo"}


def apps() -> list[str]:
    return sorted(p.name for p in ROOT.iterdir() if (p / "apps.py").exists())


def imports_of(app: str) -> list[tuple[str, str, int]]:
    """(imported app, file, line) for every import of another ``huxiao`` app in ``app``'s code. Migrations
    are history (they name models by label, not import); tests are not the product."""
    found = []
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" in path.parts or "tests" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                parts = name.split(".")
                if parts[0] == "huxiao" and len(parts) > 1 and parts[1] != app and (ROOT / parts[1]).is_dir():
                    found.append((parts[1], str(path.relative_to(ROOT)), node.lineno))
    return found


def graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = defaultdict(set)
    for app in apps():
        edges[app] |= {target for target, _file, _line in imports_of(app)}
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every elementary cycle's first sighting, by depth-first search."""
    found: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                found.append([*stack[stack.index(nxt):], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)
    return found


def test_every_app_is_on_the_map() -> None:
    assert set(apps()) == set(LAYERS), "place the new app in LAYERS here and in docs/architecture.md"
    architecture = (ROOT.parents[1] / "docs" / "architecture.md").read_text(encoding="utf-8")
    for app in LAYERS:
        assert f"`{app}/`" in architecture, f"docs/architecture.md does not describe {app}/"


def test_the_import_graph_has_no_cycle_between_apps() -> None:
    assert cycles(graph()) == []


def test_core_imports_no_domain_app() -> None:
    assert imports_of("core") == []


def test_each_app_imports_only_apps_below_it() -> None:
    rank = {app: index for index, app in enumerate(LAYERS)}
    upward = [f"{file}:{line} ({app} → {target})" for app in apps() for target, file, line in imports_of(app)
              if rank[target] > rank[app] or target in TOPS]
    assert upward == []


def test_each_app_has_the_same_rooms() -> None:
    """Every domain app owns its models, services, selectors, permissions, API and urls (a room may be a
    package: ``gate/models/``, ``gate/api/``); one with pages of its own has views (the gate's are its
    screens) and templates too. Core and the composing apps have what they need."""
    from importlib import import_module

    rooms = ["models", "services", "selectors", "permissions", "api", "urls"]
    views = {"gate": "screens"}
    missing = []
    for app in [app for app in LAYERS if app not in {"core", "notify", "dashboard", "demo"}]:
        pages = bool(import_module(f"huxiao.{app}.urls").urlpatterns)
        for room in [*rooms, *([views.get(app, "views"), "templates"] if pages else [])]:
            if not any((ROOT / app / name).exists() for name in (f"{room}.py", room)):
                missing.append(f"{app}/{room}")
    for app in ["core", "dashboard", "notify"]:
        if not (ROOT / app / "urls.py").exists():
            missing.append(f"{app}/urls")
    assert missing == []


@pytest.mark.parametrize("edges, expected", [
    ({"a": {"b"}, "b": {"a"}}, [["a", "b", "a"]]),
    ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
])
def test_the_cycle_search_finds_a_cycle(edges: dict[str, set[str]], expected: list[list[str]]) -> None:
    assert cycles(edges) == expected


def test_the_import_reader_sees_an_import_inside_a_function(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The reader must see deferred imports, where cycles used to hide."""
    (tmp_path / "core").mkdir()
    (tmp_path / "core" / "apps.py").write_text("")
    (tmp_path / "gate").mkdir()
    (tmp_path / "core" / "views.py").write_text("def f():\n    from huxiao.gate.models import Child\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", tmp_path)
    assert imports_of("core") == [("gate", "core/views.py", 2)]
