"""Issue #12, must-show 2: no private name of Django or a library is used outside a module that pins that
library's version and has an upstream test here.

``test_no_private_names_outside_pinned_modules`` reads every module of the product: ``from x import _y``,
``import x._y`` and ``obj._y`` (``self``/``cls`` aside) are refused unless the name is one the library
documents (``Model._meta`` and its managers, DRF's ``request._request``). The one pinned module,
``core/asgi_handler.py``, builds on undocumented methods of Django's ``ASGIHandler``: Django is pinned to
5.2.x in pyproject.toml, and ``test_the_asgi_handler_still_matches_upstream`` compares the source of every
Django method it overrides or calls with the source it was written against. When Django changes one, the
test names it: read the change, port it to ``core/asgi_handler.py``, then record the new digest.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
import re
from pathlib import Path

import django
import pytest
from django.core.handlers import asgi
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.base import BaseHandler

import huxiao

ROOT = Path(huxiao.__file__).resolve().parent
PROJECT = ROOT.parents[1]

# Private by name, public by documentation.
DOCUMENTED = {
    "_meta",  # Model _meta API (docs/ref/models/meta)
    "_default_manager", "_base_manager",  # docs/topics/db/managers
    "_request",  # DRF: "the underlying HttpRequest is available as request._request" (api-guide/requests)
}
# Module → (library, the minor it is pinned to in pyproject.toml).
PINNED = {"core/asgi_handler.py": ("Django", "5.2")}

# What core/asgi_handler.py overrides or calls, and the sha256 (first 16 hex) of its source in Django 5.2.19.
UPSTREAM = {
    "ASGIHandler.__call__": (ASGIHandler.__call__, "f756809e9c9308dc"),
    "ASGIHandler.handle": (ASGIHandler.handle, "98faeb5bef800331"),
    "ASGIHandler.read_body": (ASGIHandler.read_body, "cf4aa904631d5410"),
    "ASGIHandler.create_request": (ASGIHandler.create_request, "5eae59c6696013ff"),
    "ASGIHandler.send_response": (ASGIHandler.send_response, "77eda2b08689b44e"),
    "ASGIHandler.listen_for_disconnect": (ASGIHandler.listen_for_disconnect, "c729aa315c734f98"),
    "BaseHandler.load_middleware": (BaseHandler.load_middleware, "a1fb7ee5f8586195"),
    "BaseHandler.get_response": (BaseHandler.get_response, "3d6a79b124c2cccb"),
    "get_script_prefix": (asgi.get_script_prefix, "bd6e761a557ee4c5"),
}


def private_uses(path: Path, root: Path = ROOT) -> list[str]:
    """``file:line name`` for each private name of another package that ``path`` uses."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module and not node.module.startswith("huxiao"):
            names = [*node.module.split("."), *(alias.name for alias in node.names)]
        elif isinstance(node, ast.Import):
            names = [part for alias in node.names if not alias.name.startswith("huxiao")
                     for part in alias.name.split(".")]
        elif isinstance(node, ast.Attribute) and not (
                isinstance(node.value, ast.Name) and node.value.id in {"self", "cls"}):
            names = [node.attr]
        for name in names:
            if name.startswith("_") and not name.startswith("__") and name != "_" and name not in DOCUMENTED:
                found.append(f"{path.relative_to(root)}:{node.lineno} {name}")
    return found


def product_modules() -> list[Path]:
    return sorted(p for p in ROOT.rglob("*.py") if "migrations" not in p.parts and "tests" not in p.parts)


def test_no_private_names_outside_pinned_modules() -> None:
    uses = [use for path in product_modules() if str(path.relative_to(ROOT)) not in PINNED
            for use in private_uses(path)]
    # Our own private names may cross our modules; the scan is for other packages' internals.
    foreign = [use for use in uses if not _is_ours(use)]
    assert foreign == []


def _is_ours(use: str) -> bool:
    file, name = use.split(" ")
    path = ROOT / file.split(":")[0]
    line = path.read_text(encoding="utf-8").splitlines()[int(file.split(":")[1]) - 1]
    return bool(re.search(rf"from huxiao\.[\w.]+ import .*\b{name}\b", line))


def test_the_scan_finds_a_private_name(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from auditlog.registry import auditlog\nauditlog._signals.clear()\n"
                   "from django.db.models.query import _x\nimport asgiref._y\nself._fine = 1\nmodel._meta\n"
                   "from huxiao.force.models import _token\n")
    uses = sorted(private_uses(bad, tmp_path), key=lambda use: int(use.split(" ")[0].split(":")[1]))
    assert [use.split(" ")[1] for use in uses] == ["_signals", "_x", "_y"]


@pytest.mark.parametrize("module", sorted(PINNED))
def test_a_pinned_module_has_its_library_pinned_to_a_minor(module: str) -> None:
    library, minor = PINNED[module]
    pyproject = (PROJECT / "pyproject.toml").read_text(encoding="utf-8")
    major, low = minor.split(".")
    assert f'"{library}>={minor},<{major}.{int(low) + 1}"' in pyproject
    assert (ROOT / module).exists()
    assert django.VERSION[:2] == (int(major), int(low))


@pytest.mark.parametrize("name", sorted(UPSTREAM))
def test_the_asgi_handler_still_matches_upstream(name: str) -> None:
    function, expected = UPSTREAM[name]
    digest = hashlib.sha256(inspect.getsource(function).encode()).hexdigest()[:16]
    assert digest == expected, (
        f"Django {django.get_version()} changed {name}: compare it with core/asgi_handler.py, port what "
        f"changed, then record {digest} here")


def test_the_asgi_handler_uses_only_the_upstream_it_names() -> None:
    """Each Django method the handler overrides or calls is in UPSTREAM, so a change to it is caught."""
    source = (ROOT / "core" / "asgi_handler.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    handler = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "HuxiaoASGIHandler")
    overridden = {f"ASGIHandler.{n.name}" for n in handler.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
                  if hasattr(ASGIHandler, n.name) and n.name != "__init__"}
    called = {f"ASGIHandler.{n.attr}" for n in ast.walk(handler) if isinstance(n, ast.Attribute)
              and isinstance(n.value, ast.Name) and n.value.id == "self" and hasattr(ASGIHandler, n.attr)
              and callable(getattr(ASGIHandler, n.attr)) and not n.attr.startswith("__")}
    named = {k.replace("BaseHandler.", "ASGIHandler.") for k in UPSTREAM}
    assert overridden | called <= named, sorted((overridden | called) - named)
