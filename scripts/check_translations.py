"""Check that the Simplified Chinese catalogue is complete and up to date.

Fails (exit 1) when src/huxiao/locale/zh_Hans/LC_MESSAGES/django.po
  * is missing or does not pass ``msgfmt --check``,
  * has an untranslated or fuzzy entry, or
  * is stale: ``makemessages`` run on a temporary copy of the code finds msgids the
    committed catalogue lacks.

Run from anywhere with the project's Python (``python scripts/check_translations.py``).
Needs GNU gettext (msgfmt, xgettext, msgmerge) on PATH; stdlib only otherwise.
The working tree is never written to: makemessages runs on a copy in a temporary folder.
"""

from __future__ import annotations

import ast
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
PACKAGE = "huxiao"
LOCALE = "zh_Hans"
PO_RELATIVE = Path("locale") / LOCALE / "LC_MESSAGES" / "django.po"
PO = SRC / PACKAGE / PO_RELATIVE
SETTINGS = "huxiao.settings_test"
# Same options as the documented makemessages command.
MAKEMESSAGES = ["makemessages", "-l", LOCALE, "--no-location", "--ignore", "static/*", "--ignore", "demo/data.py"]

# Runs in the child process: import the *copied* package (not the editable install), refuse to
# go on if that did not work (makemessages would then write into the real locale folder), and
# run makemessages.
RUNNER = """
import os, sys
tmp_src = sys.argv[1]
sys.path.insert(0, tmp_src)
import huxiao
if not os.path.realpath(huxiao.__file__).startswith(os.path.realpath(tmp_src) + os.sep):
    sys.exit("check_translations: imported huxiao from %s, not from the temporary copy" % huxiao.__file__)
from django.core.management import execute_from_command_line
execute_from_command_line(["django-admin"] + sys.argv[2:])
"""


class Entry:
    def __init__(self) -> None:
        self.msgctxt: str | None = None
        self.msgid: str | None = None
        self.msgid_plural: str | None = None
        self.msgstr: dict[int, str] = {}
        self.fuzzy = False

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid or "")


def parse_po(path: Path) -> list[Entry]:
    """A tiny PO parser: enough for catalogues written by makemessages/msgmerge.

    Obsolete (``#~``) entries are skipped; the header entry (empty msgid) is returned too.
    """
    entries: list[Entry] = []
    entry: Entry | None = None
    field: str | None = None
    index = 0

    def finish() -> None:
        nonlocal entry
        if entry is not None and entry.msgid is not None:
            entries.append(entry)
        entry = None

    def unquote(text: str) -> str:
        return ast.literal_eval(text.strip())

    def store(name: str, idx: int, value: str, append: bool) -> None:
        assert entry is not None
        if name == "msgstr":
            entry.msgstr[idx] = (entry.msgstr.get(idx, "") if append else "") + value
        else:
            setattr(entry, name, ((getattr(entry, name) or "") if append else "") + value)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            field = None
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#"):
            # A comment after a complete entry starts the next one.
            if entry is not None and entry.msgstr:
                finish()
            if entry is None:
                entry = Entry()
            if line.startswith("#,") and "fuzzy" in [f.strip() for f in line[2:].split(",")]:
                entry.fuzzy = True
            continue
        if line.startswith('"'):
            if entry is None or field is None:
                raise ValueError(f"{path}: stray string line: {raw!r}")
            store(field, index, unquote(line), append=True)
            continue
        keyword, _, rest = line.partition(" ")
        if keyword in ("msgctxt", "msgid") and entry is not None and entry.msgstr:
            finish()
        if entry is None:
            entry = Entry()
        if keyword.startswith("msgstr["):
            field, index = "msgstr", int(keyword[7:-1])
        elif keyword in ("msgctxt", "msgid", "msgid_plural", "msgstr"):
            field, index = keyword, 0
        else:
            raise ValueError(f"{path}: cannot parse line: {raw!r}")
        store(field, index, unquote(rest), append=False)
    finish()
    return entries


def describe(key: tuple[str | None, str]) -> str:
    ctxt, msgid = key
    return f"[{ctxt}] {msgid!r}" if ctxt else repr(msgid)


def check_catalogue(po: Path) -> list[str]:
    problems: list[str] = []
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", os.devnull, str(po)],
        capture_output=True, text=True,
    )
    stats = result.stderr.strip().splitlines()[-1:] if result.stderr.strip() else []
    if result.returncode != 0:
        problems.append("msgfmt --check failed:\n" + result.stderr.strip())
    for entry in parse_po(po):
        if entry.msgid == "":
            continue
        if entry.fuzzy:
            problems.append(f"fuzzy: {describe(entry.key)}")
        if not entry.msgstr or any(not value for value in entry.msgstr.values()):
            problems.append(f"untranslated: {describe(entry.key)}")
    print(f"{po.relative_to(ROOT)}: {' '.join(stats) or 'no statistics'}")
    return problems


def check_up_to_date(po: Path) -> list[str]:
    committed = {entry.key for entry in parse_po(po) if entry.msgid}
    with tempfile.TemporaryDirectory(prefix="huxiao-i18n-") as tmp:
        tmp_src = Path(tmp) / "src"
        copy = tmp_src / PACKAGE
        shutil.copytree(
            SRC / PACKAGE, copy,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo", "node_modules", "vendor"),
        )
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": SETTINGS}
        env.pop("PYTHONPATH", None)
        result = subprocess.run(
            [sys.executable, "-c", RUNNER, str(tmp_src), *MAKEMESSAGES],
            cwd=copy, env=env, capture_output=True, text=True, timeout=120,
        )
        if result.returncode != 0:
            return ["makemessages failed:\n" + (result.stdout + result.stderr).strip()]
        fresh = {entry.key for entry in parse_po(copy / PO_RELATIVE) if entry.msgid}
    problems = [f"missing from the catalogue (run makemessages): {describe(key)}"
                for key in sorted(fresh - committed, key=lambda k: (k[0] or "", k[1]))]
    for key in sorted(committed - fresh, key=lambda k: (k[0] or "", k[1])):
        print(f"warning: no longer used in the code: {describe(key)}")
    return problems


def main() -> int:
    if not PO.exists():
        print(f"error: {PO.relative_to(ROOT)} does not exist", file=sys.stderr)
        return 1
    problems = check_catalogue(PO) + check_up_to_date(PO)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if problems:
        print(
            f"{len(problems)} problem(s). Fix with, from src/huxiao:\n"
            f"  DJANGO_SETTINGS_MODULE={SETTINGS} django-admin {shlex.join(MAKEMESSAGES)}\n"
            f"then translate the new entries, remove '#, fuzzy' flags, and run compilemessages.",
            file=sys.stderr,
        )
        return 1
    print("translations OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
