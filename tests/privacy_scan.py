"""F-PRIV, issue #14 (must-show 1): after the whole suite has run, no ID number or phone it wrote is in the raw
database, the audit log or the application logs in plain text.

A pytest plugin (registered by ``tests/conftest.py``), in each process of the run (each xdist worker, or the
only process without xdist):

- **Records** every plaintext ``huxiao.core.crypto.encrypt`` is asked to encrypt for a column whose name
  holds ``id_number`` or ``phone`` (contexts are ``app.model.field``): the values the suite really wrote, not
  a list kept by hand. The function is wrapped when the plugin is configured.
- **Copies every log record** that reaches a logger's handlers into a log file of its own (a handler on the
  root logger and on each logger that does not propagate, such as ``huey``), and every audit entry saved
  (``post_save`` of ``auditlog.LogEntry``, rolled back or not) into an audit file. The logger levels are the
  settings' own: what the application would log.
- **Scans**, when pytest-django is about to destroy the test database (a finalizer added to the
  ``django_db_setup`` fixture, which runs before that fixture's own teardown, after the last test's):
  the database's raw bytes (the SQLite file with its ``-wal`` and ``-journal``; ``pg_dump`` of the test
  database on PostgreSQL), the audit entries (every one saved in the session, and the rows left at the end)
  and the log file, for every recorded value of 9 characters or more, as written and (phones) digits only,
  in any letter case. Shorter values (a 5-character passport number) could appear by chance in any
  megabyte of bytes, so they are counted and not scanned.

A value found fails the run: the finalizer raises (pytest reports "ERROR at teardown of <the worker's last
test>" with the report below, which xdist carries to the controller like any test report), and the
controller, which receives each worker's report through xdist's ``workeroutput``, prints a section
"F-PRIV plaintext scan" in the terminal summary and sets a non-zero exit status if a worker found a value,
recorded none (a scan that checks nothing must not pass), or used the database without reporting a scan.

``python -m tests.privacy_scan OUT -- <huxiao arguments>`` runs the ``huxiao`` command with the same
recording and writes the values to OUT (``tests/test_privacy_scan.py`` builds the demo that way).
"""

from __future__ import annotations

import atexit
import functools
import json
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pytest

RECORDED_FIELDS = ("id_number", "phone")
# Values shorter than this are counted, not scanned: 5 to 8 characters turn up by chance in megabytes of
# bytes (a base64 ciphertext, a timestamp), so a hit would prove nothing and a miss little.
MIN_LENGTH = 9
# What the fields' normalizers make of a phone (digits, a leading "+") and of an ID number (no spaces, upper
# case; passports and other documents carry letters, Hong Kong ones brackets). A recorded value of another
# shape is not personal data but a property test's text sent to the cipher directly (tests/test_privacy.py
# encrypts Hypothesis's strings, some of them the code's own literals, under "core.user.phone"): counted, not
# looked for, since a sentence of a template is of course in the database.
SHAPES = {"phone": re.compile(r"\+?[0-9]+"), "id_number": re.compile(r"[0-9A-Za-z()/-]+")}
REPORT_KEY = "privacy_scan"
CONTEXT_BYTES = 40


# --- Recording -----------------------------------------------------------------------------------------

def recorded_kind(context: str) -> str | None:
    """``"phone"`` or ``"id_number"`` when a context (``app.model.field``) names such a column, else None."""
    column = context.rsplit(".", 1)[-1]
    for kind in ("phone", "id_number"):
        if kind in column:
            return kind
    return None


def install_recorder(record: Callable[[str, str], None]) -> None:
    """Wrap ``crypto.encrypt`` so that each plaintext of an ID-number or phone column goes to ``record``
    (value, context) before it is encrypted. The fields call it through the module, so the wrapper sees
    every write. Installing twice keeps one wrapper."""
    from huxiao.core import crypto

    original = crypto.encrypt
    if getattr(original, "privacy_scan_recorder", None) is not None:
        return

    @functools.wraps(original)
    def encrypt(plaintext: str, *, context: str) -> str:
        if recorded_kind(context):
            record(plaintext, context)
        return original(plaintext, context=context)

    encrypt.privacy_scan_recorder = record  # type: ignore[attr-defined]
    crypto.encrypt = encrypt


# --- Scanning ------------------------------------------------------------------------------------------

def mask(value: str) -> str:
    """What a report may print of a value: its first three and last two characters."""
    if len(value) < MIN_LENGTH:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 5) + value[-2:]


def forms(value: str, kind: str) -> set[str]:
    """The forms a value may be written in, lower-cased (the data is lower-cased too, so any letter case
    matches): as the column stores it (normalised), and as people write it: a phone's digits alone, without
    +86, in groups (138 1234 5678, 0571-88271110); a resident ID in its 6-8-4 groups."""
    found = {value.lower()}
    if kind == "phone":
        digits = "".join(ch for ch in value if ch.isdigit())
        national = digits[2:] if value.startswith("+86") else digits
        found |= {digits, national}
        for sep in (" ", "-"):
            if len(national) == 11 and national.startswith("1"):
                found.add(sep.join((national[:3], national[3:7], national[7:])))
            elif national.startswith("0"):
                found |= {national[:3] + sep + national[3:], national[:4] + sep + national[4:]}
    elif len(value) == 18:
        found.add(" ".join((value[:6], value[6:14], value[14:])).lower())
    return {form for form in found if len(form) >= MIN_LENGTH}


def _trie_pattern(words: Iterable[bytes]) -> bytes:
    """One regular expression for many literals, as a trie (``13(?:8…|9…)``): each position of the data is
    tried against a prefix tree, not against every word in turn, so thousands of values cost one pass."""
    trie: dict[int, Any] = {}
    for word in words:
        node = trie
        for byte in word:
            node = node.setdefault(byte, {})
        node[-1] = {}

    def emit(node: dict[int, Any]) -> bytes:
        alternatives = [re.escape(bytes([byte])) + emit(child) for byte, child in sorted(node.items()) if byte != -1]
        if not alternatives:
            return b""
        if len(alternatives) == 1 and -1 not in node:
            return alternatives[0]
        group = b"(?:" + b"|".join(alternatives) + b")"
        return group + b"?" if -1 in node else group

    return emit(trie)


@dataclass
class Hit:
    value: str  # masked
    kind: str
    where: str
    context: str  # the bytes around it, every recorded value in it masked

    def line(self) -> str:
        return f"{self.kind} {self.value} in {self.where}: …{self.context}…"


class Needles:
    """The recorded values, ready to look for."""

    def __init__(self, values: Mapping[str, str]):
        """``values``: plaintext → context (``app.model.field``) it was encrypted for."""
        self.values = dict(values)
        shaped = [v for v, context in self.values.items() if SHAPES[recorded_kind(context) or "id_number"].fullmatch(v)]
        self.unshaped = len(self.values) - len(shaped)
        self.short = sorted(v for v in shaped if len(v) < MIN_LENGTH)
        self.scanned = sorted(v for v in shaped if len(v) >= MIN_LENGTH)
        self.by_form: dict[bytes, str] = {}
        for value in self.scanned:
            for form in forms(value, recorded_kind(self.values[value]) or "id_number"):
                self.by_form[form.encode()] = value
        self.pattern = re.compile(_trie_pattern(self.by_form)) if self.by_form else None

    def kinds(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for value in self.scanned:
            kind = recorded_kind(self.values[value]) or "?"
            counts[kind] = counts.get(kind, 0) + 1
        return counts

    def _masked(self, excerpt: bytes) -> str:
        assert self.pattern is not None
        masked = self.pattern.sub(lambda m: mask(self.by_form[m.group()]).encode(), excerpt)
        text = masked.decode("utf-8", errors="replace")
        return "".join(ch if ch.isprintable() else "." for ch in text)

    def find(self, data: bytes, where: str, limit: int = 20) -> list[Hit]:
        if self.pattern is None or not data:
            return []
        lowered = data.lower()
        hits: list[Hit] = []
        seen: set[str] = set()
        for match in self.pattern.finditer(lowered):
            value = self.by_form[match.group()]
            if value in seen:
                continue
            seen.add(value)
            start, end = max(0, match.start() - CONTEXT_BYTES), match.end() + CONTEXT_BYTES
            hits.append(Hit(mask(value), recorded_kind(self.values[value]) or "?", where,
                            self._masked(lowered[start:end])))
            if len(hits) >= limit:
                break
        return hits


def sqlite_bytes(name: str | os.PathLike[str]) -> tuple[bytes, str]:
    """The raw bytes of a SQLite database: its file, and its write-ahead log and rollback journal when they
    exist (committed pages not yet checkpointed live in the ``-wal``)."""
    chunks, parts = [], []
    for suffix in ("", "-wal", "-journal"):
        path = Path(f"{name}{suffix}")
        if path.exists():
            chunks.append(path.read_bytes())
            parts.append(f"{path.name} ({len(chunks[-1]):,} B)")
    return b"".join(chunks), " + ".join(parts)


def pg_dump_bytes(settings: Mapping[str, Any]) -> tuple[bytes, str]:
    """``pg_dump`` (plain SQL, schema and data) of the database ``settings`` names."""
    pg_dump = shutil.which("pg_dump") or "/usr/bin/pg_dump"
    env = {**os.environ, "PGPASSWORD": str(settings.get("PASSWORD") or "")}
    command = [pg_dump, "--no-password", "-h", str(settings.get("HOST") or "127.0.0.1"),
               "-p", str(settings.get("PORT") or 5432), "-U", str(settings.get("USER") or "postgres"),
               "-d", str(settings["NAME"])]
    done = subprocess.run(command, env=env, capture_output=True, check=False)
    if done.returncode:
        raise RuntimeError(f"pg_dump failed ({done.returncode}): {done.stderr.decode(errors='replace')[-500:]}")
    return done.stdout, f"pg_dump {settings['NAME']} ({len(done.stdout):,} B)"


def database_bytes() -> tuple[bytes, str]:
    """The raw bytes of Django's default database, as it stands."""
    from django.db import connection

    connection.ensure_connection()
    if connection.vendor == "postgresql":
        return pg_dump_bytes(connection.settings_dict)
    assert connection.vendor == "sqlite", connection.vendor
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or "mode=memory" in name:
        # Not what settings_test gives (a file), but then copy it out to read real file bytes.
        target = Path(tempfile.gettempdir()) / f"huxiao-privacy-copy-{os.getpid()}.sqlite3"
        target.unlink(missing_ok=True)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM INTO %s", [str(target)])
        data, described = sqlite_bytes(target)
        target.unlink()
        return data, f"in-memory database copied with VACUUM INTO: {described}"
    return sqlite_bytes(name)


def audit_entry_text(names: list[str], row: Iterable[Any]) -> str:
    return json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False, default=str)


def audit_rows_text() -> tuple[str, int]:
    """Every audit entry left in the database, every column, as JSON lines."""
    from auditlog.models import LogEntry

    names = [f.attname for f in LogEntry._meta.concrete_fields]
    lines = [audit_entry_text(names, row) for row in LogEntry.objects.values_list(*names).iterator()]
    return "\n".join(lines), len(lines)


def sqlite_audit_text(path: str | os.PathLike[str]) -> tuple[str, int]:
    """The same, read straight from a SQLite file's ``auditlog_logentry`` table."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        cursor = db.execute("SELECT * FROM auditlog_logentry")
        names = [d[0] for d in cursor.description]
        lines = [audit_entry_text(names, row) for row in cursor]
    return "\n".join(lines), len(lines)


def clear_columns_by_model() -> dict[str, list[str]]:
    """``clear_text_columns`` by model label (lower case, as a content type names it): label → columns."""
    out: dict[str, list[str]] = {}
    for column in clear_text_columns():
        label, name = column.rsplit(".", 1)
        out.setdefault(label.lower(), []).append(name)
    return out


def clear_text_columns() -> list[str]:
    """Columns named like an ID number or a phone that the models keep in clear (not encrypted): the scan
    cannot look for their values, as nothing records them. Listed in the report so the gap is visible."""
    from django.apps import apps

    from huxiao.core.fields import EncryptedCharField, LookupHashField

    found = []
    for model in apps.get_models():
        if not model.__module__.startswith("huxiao."):
            continue
        for f in model._meta.concrete_fields:
            if recorded_kind(f.name) and not isinstance(f, EncryptedCharField | LookupHashField):
                found.append(f"{model._meta.label}.{f.name}")
    return sorted(found)


@dataclass
class Report:
    """What one scan checked, and what it found."""

    name: str
    values: int = 0
    short: int = 0
    unshaped: int = 0
    kinds: dict[str, int] = field(default_factory=dict)
    forms: int = 0
    sources: dict[str, int] = field(default_factory=dict)  # where → bytes scanned
    described: dict[str, str] = field(default_factory=dict)
    hits: list[dict[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    clear_columns: list[str] = field(default_factory=list)
    also_in_clear: int = 0  # recorded values also written to a column kept in clear: not looked for
    skipped: str = ""  # why there was nothing to scan (no test of this process used the database)

    @property
    def failed(self) -> bool:
        return bool(self.hits or self.errors)

    def summary(self) -> str:
        if self.skipped:
            return f"{self.name}: not scanned: {self.skipped}"
        scanned = ", ".join(f"{where} {size:,} B" for where, size in self.sources.items())
        kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(self.kinds.items()))
        verdict = "FAILED" if self.failed else "clean"
        return (f"{self.name}: {verdict}: {self.values} values ({kinds}; {self.forms} forms) looked for in "
                f"{scanned}; not looked for: {self.short} shorter than {MIN_LENGTH} characters, {self.unshaped} "
                f"not shaped like a phone or an ID number, {self.also_in_clear} also written to a column kept in "
                f"clear; {self.seconds:.1f} s")

    def details(self) -> list[str]:
        lines = [f"  {where}: {text}" for where, text in self.described.items()]
        lines += [f"  PLAINTEXT {Hit(**hit).line()}" for hit in self.hits]
        lines += [f"  ERROR {error}" for error in self.errors]
        return lines

    def text(self) -> str:
        return "\n".join([self.summary(), *self.details()])


def scan(name: str, values: Mapping[str, str], sources: Mapping[str, tuple[bytes, str]]) -> Report:
    """Look for every recorded value in each source (where → (bytes, how they were read))."""
    started = time.monotonic()
    needles = Needles(values)
    report = Report(name=name, values=len(needles.scanned), short=len(needles.short), unshaped=needles.unshaped,
                    kinds=needles.kinds(), forms=len(needles.by_form))
    if not needles.scanned:
        report.errors.append(f"no value of {MIN_LENGTH} characters or more was recorded: the scan checked nothing")
    for where, (data, described) in sources.items():
        report.sources[where] = len(data)
        report.described[where] = described
        report.hits += [asdict(hit) for hit in needles.find(data, where)]
    report.seconds = time.monotonic() - started
    return report


# --- The session ---------------------------------------------------------------------------------------

class Session:
    """This process's part of the run."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}
        # Values the session also wrote to a column kept in clear (a duty officer's work phone is in clear by
        # design): their plaintext there is no leak of the encrypted column, so they are not looked for.
        self.clear_values: set[str] = set()
        self.directory = Path()
        self.log_path = Path()
        self.audit_path = Path()
        self.handler: logging.Handler | None = None
        self.audit_file: Any = None
        self.audit_entries = 0
        self.database_used = False
        self.report: Report | None = None
        self.reports: dict[str, dict[str, Any]] = {}  # the controller's: one per worker (and per extra scan)

    def record(self, value: str, context: str) -> None:
        self.values.setdefault(value, context)

    def note_clear_values(self, entry: Any) -> None:
        """The values an audit entry shows written to a column the models keep in clear."""
        changes = entry.changes if isinstance(entry.changes, dict) else {}
        if not changes:
            return
        from django.contrib.contenttypes.models import ContentType

        kind = ContentType.objects.get_for_id(entry.content_type_id)  # cached: no query in a counted test
        label = f"{kind.app_label}.{kind.model}"
        for column in clear_columns_by_model().get(label, ()):
            for value in changes.get(column) or ():
                if isinstance(value, str) and value not in {"", "None", "none"}:
                    self.clear_values.add(value)

    def searched_values(self) -> dict[str, str]:
        """The recorded values, less those also in a column kept in clear now (the database) or at some time
        of the session (the audit entries)."""
        from django.apps import apps

        clear = set(self.clear_values)
        for label, columns in clear_columns_by_model().items():
            model = apps.get_model(label)
            for column in columns:
                clear.update(str(v) for v in model._base_manager.exclude(**{column: ""})
                             .values_list(column, flat=True) if v)
        return {value: kind for value, kind in self.values.items() if value not in clear}

    def attach_log_handler(self) -> None:
        """On the root logger, and on every logger that does not propagate (records there never reach the
        root). Again before each test: a test that configures logging may have removed it."""
        if self.handler is None:
            self.handler = logging.FileHandler(self.log_path, encoding="utf-8")
            self.handler.setLevel(logging.DEBUG)
            self.handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        loggers = [logging.getLogger()] + [
            logger for logger in logging.Logger.manager.loggerDict.values()
            if isinstance(logger, logging.Logger) and not logger.propagate]
        for logger in loggers:
            if self.handler not in logger.handlers:
                logger.addHandler(self.handler)

    def close(self) -> None:
        """Stop copying, and remove the copies unless the scan failed (then they are kept to look at)."""
        if self.handler is not None:
            for logger in [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]:
                if isinstance(logger, logging.Logger) and self.handler in logger.handlers:
                    logger.removeHandler(self.handler)
            self.handler.close()
        if self.audit_file is not None:
            self.audit_file.close()
        if (self.report is None or not self.report.failed) and self.directory.name.startswith("huxiao-privacy-"):
            shutil.rmtree(self.directory, ignore_errors=True)

    def connect_audit_stream(self) -> None:
        from auditlog.models import LogEntry
        from django.db.models.signals import post_save

        self.audit_file = self.audit_path.open("a", encoding="utf-8")
        names = [f.attname for f in LogEntry._meta.concrete_fields]

        def copy_entry(sender: Any, instance: Any, **kwargs: Any) -> None:
            self.audit_file.write(audit_entry_text(names, (getattr(instance, n) for n in names)) + "\n")
            self.audit_entries += 1
            self.note_clear_values(instance)

        post_save.connect(copy_entry, sender=LogEntry, weak=False, dispatch_uid="huxiao-privacy-scan")

    def scan_test_database(self, config: pytest.Config) -> Report:
        name = f"suite ({worker_id()})"
        try:
            assert self.handler is not None
            self.handler.flush()
            self.audit_file.flush()
            db = database_bytes()
            rows, count = audit_rows_text()
            stream = self.audit_path.read_bytes()
            log = self.log_path.read_bytes()
            from django.db import connection

            values = self.searched_values()
            report = scan(name, values, {
                "db": db,
                "audit": (stream + b"\n" + rows.encode(),
                          f"{self.audit_entries} entries saved during the session ({len(stream):,} B), "
                          f"and the {count} left at its end"),
                "log": (log, f"{self.log_path} (every record the loggers let through, {connection.vendor})"),
            })
            report.clear_columns = clear_text_columns()
            report.also_in_clear = len(self.values) - len(values)
            if report.failed:
                report.described["copies"] = f"the session's log and audit copies are kept in {self.directory}"
        except Exception as exc:  # a scan that could not run must fail as loudly as one that found something
            report = Report(name=name, errors=[f"the scan could not run: {exc!r}"])
        self.report = report
        publish(config, report)
        return report


SESSION = Session()


def worker_id() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def publish(config: pytest.Config, report: Report) -> None:
    """Hand a report to the process that prints the summary: xdist's ``workeroutput`` on a worker (sent to
    the controller when the worker finishes), else this process's list."""
    key = f"{worker_id()}:{report.name}"
    if is_worker(config):
        config.workeroutput.setdefault(REPORT_KEY, {})[key] = asdict(report)  # type: ignore[attr-defined]
    else:
        SESSION.reports[key] = asdict(report)


def pytest_configure(config: pytest.Config) -> None:
    install_recorder(SESSION.record)


def pytest_sessionstart(session: pytest.Session) -> None:
    SESSION.directory = Path(tempfile.mkdtemp(prefix=f"huxiao-privacy-{worker_id()}-"))
    SESSION.log_path = SESSION.directory / "application.log"
    SESSION.audit_path = SESSION.directory / "audit.jsonl"
    SESSION.attach_log_handler()
    SESSION.connect_audit_stream()


def pytest_runtest_setup(item: pytest.Item) -> None:
    SESSION.attach_log_handler()


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest) -> Any:
    result = yield
    if fixturedef.argname == "django_db_setup" and not SESSION.database_used:
        # The first ``django_db_setup`` set up is pytest-django's, which creates the test database: a
        # finalizer added now runs before its teardown (finalizers run last in, first out), that is after
        # the last test and before the database is destroyed.
        SESSION.database_used = True
        blocker = request.getfixturevalue("django_db_blocker")
        config = request.config

        def scan_before_teardown() -> None:
            with blocker.unblock():
                report = SESSION.scan_test_database(config)
            if report.failed:
                pytest.fail("F-PRIV plaintext scan (tests/privacy_scan.py) failed:\n" + report.text(), pytrace=False)

        fixturedef.addfinalizer(scan_before_teardown)
    return result


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    if SESSION.database_used and SESSION.report is None:
        publish(config, Report(name=f"suite ({worker_id()})",
                               errors=["the database was set up but never scanned"]))
    elif not SESSION.database_used:
        publish(config, Report(name=f"suite ({worker_id()})", skipped="no test of this process used the database"))
    SESSION.close()
    if is_worker(config):
        return
    if any(r["hits"] or r["errors"] for r in SESSION.reports.values()) and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object | None) -> None:
    SESSION.reports.update(getattr(node, "workeroutput", {}).get(REPORT_KEY, {}))


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if is_worker(config):
        return
    reports = [Report(**r) for _key, r in sorted(SESSION.reports.items())]
    suite = [r for r in reports if r.name.startswith("suite")]
    if not reports:
        return
    failed = any(r.failed for r in reports)
    terminalreporter.section("F-PRIV plaintext scan", sep="-", red=failed, green=not failed, bold=True)
    for report in reports:
        terminalreporter.line(report.summary(), red=report.failed)
        for line in report.details():
            if report.failed or not line.startswith("  PLAINTEXT"):
                terminalreporter.line(line)
    if suite:
        total = sum(r.values for r in suite)
        scanned = sum(sum(r.sources.values()) for r in suite)
        terminalreporter.line(f"suite, all processes: {total} values looked for in {scanned:,} B")
        columns = suite[0].clear_columns
        if columns:
            terminalreporter.line("kept in clear by the models, so not looked for: " + ", ".join(columns))


# --- Recording in another process ---------------------------------------------------------------------

def main(argv: list[str]) -> None:
    """``python -m tests.privacy_scan OUT -- <huxiao arguments>``: the command, its values written to OUT."""
    out, separator, *command = argv
    assert separator == "--", "usage: python -m tests.privacy_scan OUT -- <huxiao arguments>"
    values: dict[str, str] = {}

    def record(value: str, context: str) -> None:
        values.setdefault(value, context)

    atexit.register(lambda: Path(out).write_text(json.dumps(values, ensure_ascii=False)))
    from huxiao.cli import main as huxiao

    install_recorder(record)  # before the command sets Django up: the wrapper reads no setting
    huxiao(command)


if __name__ == "__main__":
    main(sys.argv[1:])
