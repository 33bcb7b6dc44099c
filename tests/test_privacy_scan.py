"""F-PRIV, issue #14 (must-show 1): the demo leaves no ID number or phone in plain text in its database, audit
log or output; and the scanner of ``tests/privacy_scan.py``, which scans the suite's own test database, audit
log and logs when the suite ends, finds a plaintext where there is one and fails the run."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path
from typing import Any

import pytest

from huxiao.core import crypto
from huxiao.core.validators import resident_id_check_digit
from tests import privacy_scan
from tests.privacy_scan import Needles, mask, scan, sqlite_audit_text, sqlite_bytes

ROOT = Path(__file__).resolve().parent.parent

# Values no other test writes (region 999999 does not exist), so the suite's own scan never looks for them.
ID = "99999919800101123"
ID += resident_id_check_digit(ID)
ID_X = next(f"9999991980010{n:04d}"[:17] + "X" for n in range(1000, 9999)
            if resident_id_check_digit(f"9999991980010{n:04d}"[:17]) == "X")
PHONE = "+8619900001357"


def values(*pairs: tuple[str, str]) -> dict[str, str]:
    return dict(pairs)


# --- The scanner finds what is there -----------------------------------------------------------------------

def test_a_plaintext_id_in_a_sqlite_file_or_its_write_ahead_log_is_found(tmp_path: Path) -> None:
    """A row committed in WAL mode lives in the ``-wal`` until a checkpoint: both files are read."""
    path = tmp_path / "leak.sqlite3"
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA wal_autocheckpoint=0")
    db.execute("CREATE TABLE person (name TEXT, id_number TEXT)")
    db.execute("INSERT INTO person VALUES (?, ?)", ("甲", crypto.encrypt(ID, context="gate.visit.id_number")))
    db.commit()
    recorded = values((ID, "gate.visit.id_number"), (ID_X, "gate.visit.id_number"))

    # Given only its ciphertext, the scan finds nothing (and did read the rows),
    data, described = sqlite_bytes(path)
    assert "leak.sqlite3-wal" in described and "甲".encode() in data
    assert scan("clean", recorded, {"db": (data, described)}).hits == []

    # when the plaintext is written beside it (its letter in lower case), the scan finds it in the WAL,
    db.execute("INSERT INTO person VALUES (?, ?)", ("乙", ID_X.lower()))
    db.commit()
    assert ID_X.lower().encode() in (tmp_path / "leak.sqlite3-wal").read_bytes()
    report = scan("leak", recorded, {"db": sqlite_bytes(path)})
    db.close()

    # and says which value, masked, and where, never printing the value itself.
    assert report.failed and [(h["value"], h["where"]) for h in report.hits] == [(mask(ID_X), "db")]
    assert ID_X not in report.text() and ID_X.lower() not in report.text() and mask(ID_X) in report.text()


def test_a_phone_in_a_log_line_or_an_audit_row_is_found_in_the_forms_it_is_written_in(tmp_path: Path) -> None:
    recorded = values((PHONE, "core.user.phone"), (ID, "core.user.id_number"))
    # A log line with the phone's digits alone (after an international prefix of zeros),
    log_path = tmp_path / "app.log"
    logger = logging.getLogger(f"huxiao.test_privacy_scan.{uuid.uuid4().hex}")
    handler = logging.FileHandler(log_path, encoding="utf-8")
    logger.addHandler(handler)
    logger.propagate = False
    logger.warning("callback to 00%s failed", PHONE.removeprefix("+"))
    logger.warning("or call %s", "199-0000-1357")  # the national number, in groups: the same phone
    handler.close()
    # and an audit row whose changes carry the ID number,
    audit_db = tmp_path / "audit.sqlite3"
    with sqlite3.connect(audit_db) as db:
        db.execute("CREATE TABLE auditlog_logentry (id INTEGER, changes TEXT, additional_data TEXT)")
        db.execute("INSERT INTO auditlog_logentry VALUES (1, ?, NULL)", (json.dumps({"id_number": [None, ID]}),))
        db.execute("INSERT INTO auditlog_logentry VALUES (2, ?, NULL)", (json.dumps({"id_number": "[redacted]"}),))
    audit, rows = sqlite_audit_text(audit_db)
    assert rows == 2

    report = scan("leak", recorded, {"audit": (audit.encode(), "rows"), "log": (log_path.read_bytes(), "file")})
    assert sorted((h["where"], h["value"]) for h in report.hits) == [("audit", mask(ID)), ("log", mask(PHONE))]
    log_hits = [h["context"] for h in report.hits if h["where"] == "log"]
    assert len(log_hits) == 1  # one line per value and place: the first
    assert len(privacy_scan.Needles(values((PHONE, "core.user.phone"))).find(b"or call 199 0000 1357", "log")) == 1
    assert report.sources == {"audit": len(audit.encode()), "log": log_path.stat().st_size}


def test_short_values_and_a_scan_that_recorded_nothing() -> None:
    """A 5-character passport number is counted, not looked for (it could be anywhere by chance); Hypothesis's
    text sent to the cipher is not a phone; and a scan with nothing to look for fails."""
    recorded = values(("E1234", "gate.visit.id_number"), ("应急照明正常的一个句子", "core.user.phone"))
    needles = Needles(recorded)
    assert (needles.scanned, needles.short, needles.unshaped) == ([], ["E1234"], 1)
    report = scan("empty", recorded, {"db": (b"E1234 " * 10, "bytes")})
    assert report.failed and "checked nothing" in report.errors[0] and not report.hits


# --- The suite's own scan sees what the application writes ------------------------------------------------

@pytest.mark.django_db
def test_the_session_records_each_written_id_and_phone_and_copies_logs_and_audit_entries(cast: Any) -> None:
    from auditlog.models import LogEntry

    from huxiao.core.models import User

    session = privacy_scan.SESSION
    # A phone saved through an encrypted field is recorded, normalised as the field stores it,
    user = User.objects.create(username=f"privacy-{uuid.uuid4().hex[:8]}", role="guard",
                               organisation=cast.unit_a, phone="199 0000 2469")
    assert session.values["19900002469"] == "core.user.phone"
    # its audit entry is copied (this test's transaction is rolled back: the copy is all that remains),
    entry = LogEntry.objects.get_for_object(user).get()
    session.audit_file.flush()
    copied = [json.loads(line) for line in session.audit_path.read_text(encoding="utf-8").splitlines()]
    assert any(row["id"] == entry.pk and row["object_repr"] == user.username for row in copied)
    # and the application's logs go to the session's log file, even from a logger that does not propagate.
    marker = uuid.uuid4().hex
    logging.getLogger("huxiao.api").warning("privacy-scan probe %s", marker)
    logging.getLogger("huey").warning("privacy-scan probe huey %s", marker)
    assert session.handler is not None
    session.handler.flush()
    log = session.log_path.read_text(encoding="utf-8")
    assert f"huxiao.api privacy-scan probe {marker}" in log and f"huey privacy-scan probe huey {marker}" in log
    # The raw bytes are the test database's own (the SQLite file, or pg_dump): the cast's committed rows.
    data, _described = privacy_scan.database_bytes()
    assert b"OTHERSD-guard" in data


def test_a_run_that_writes_a_plaintext_fails_and_says_where(tmp_path: Path) -> None:
    """A pytest run of its own (with a worker, as the suite runs), whose tests write a recorded ID number into
    a table, another into an audit entry that is rolled back, and a phone into a log line: its exit status
    is not zero, the teardown of its last test says why, and its summary names each place."""
    id_audit = "99999919800202123"
    id_audit += resident_id_check_digit(id_audit)
    (tmp_path / "pytest.ini").write_text("[pytest]\nDJANGO_SETTINGS_MODULE = huxiao.settings_test\n")
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["tests.privacy_scan"]\n')
    (tmp_path / "leaked.py").write_text(f"ID = {ID!r}\nPHONE = {PHONE!r}\nID_AUDIT = {id_audit!r}\n")
    (tmp_path / "test_leak.py").write_text(textwrap.dedent("""
        import logging

        import pytest
        from django.db import connection
        from leaked import ID, ID_AUDIT, PHONE

        from huxiao.core import crypto


        @pytest.mark.django_db(transaction=True)
        def test_a_table_and_a_log_line():
            crypto.encrypt(ID, context="core.user.id_number")
            crypto.encrypt(PHONE, context="core.user.phone")
            with connection.cursor() as cursor:
                cursor.execute("CREATE TABLE leak (value TEXT)")
                cursor.execute("INSERT INTO leak VALUES (%s)", [ID])
            logging.getLogger("huxiao.leak").warning("called %s", PHONE)


        @pytest.mark.django_db
        def test_an_audit_entry_rolled_back():
            from auditlog.models import LogEntry
            from django.contrib.contenttypes.models import ContentType

            crypto.encrypt(ID_AUDIT, context="force.guard.id_number")
            LogEntry.objects.create(content_type=ContentType.objects.get(model="guard"), object_pk="1",
                                    object_repr="x", action=0, changes={"id_number": [None, ID_AUDIT]})
    """))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DJANGO_", "REDIS_URL"))}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    if env.get("DATABASE_URL", "").startswith("postgres"):
        # A database of its own: this run's test database must not be the suite's (test_huxiao_gw0).
        env["DATABASE_URL"] = env["DATABASE_URL"].rsplit("/", 1)[0] + "/huxiao_privacy_probe"
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-n", "1", "-q", "-rE",
                           "--no-migrations"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output[-4000:]
    assert "ERROR at teardown of test_" in output, output[-4000:]
    teardown = output[output.index("F-PRIV plaintext scan (tests/privacy_scan.py) failed"):]
    teardown = teardown[:teardown.index("\n---")]  # up to pytest's next section (its captured output)
    summary = output[output.index("-- F-PRIV plaintext scan --"):]
    summary = summary[:summary.index("\n===")]
    for report in (teardown, summary):
        assert f"PLAINTEXT id_number {mask(ID)} in db" in report, report
        assert f"PLAINTEXT id_number {mask(id_audit)} in audit" in report, report
        assert f"PLAINTEXT phone {mask(PHONE)} in log" in report, report
        # The report masks them (pytest's own captured output of the leaking test of course has them).
        assert ID not in report and PHONE not in report and id_audit not in report


# --- The demo ----------------------------------------------------------------------------------------------

def test_the_demo_leaves_no_plaintext_id_or_phone(tmp_path: Path, pytestconfig: pytest.Config) -> None:
    """``huxiao demo --no-serve`` in a process of its own, into a SQLite file of its own, every ID number and
    phone it encrypts recorded (``python -m tests.privacy_scan``); then its database files (and its job
    queue's), its audit table and everything it printed or logged (at DEBUG) are scanned for them."""
    home = tmp_path / "demo"
    home.mkdir()
    recorded_path = tmp_path / "recorded.json"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("HUXIAO_", "DJANGO_", "PYTEST_")) and k not in {"REDIS_URL", "SECRET_KEY"}}
    env.update({
        "HOME": str(home), "HUXIAO_HOME": str(home), "HUXIAO_DEMO_PASSWORD": "Demo-Password-1",
        "DATABASE_URL": f"sqlite:///{home / 'huxiao.sqlite3'}", "LOG_LEVEL": "DEBUG",
        "DJANGO_SETTINGS_MODULE": "tests.demo_settings",
        "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p),
    })
    done = subprocess.run([sys.executable, "-m", "tests.privacy_scan", str(recorded_path), "--", "demo", "--no-serve"],
                          cwd=home, env=env, capture_output=True, timeout=300, check=False)
    assert done.returncode == 0, (done.stdout[-2000:] + done.stderr[-2000:]).decode(errors="replace")

    recorded: dict[str, str] = json.loads(recorded_path.read_text())
    databases = sorted(home.glob("*.sqlite3"))
    assert [p.name for p in databases] == ["huxiao-jobs.sqlite3", "huxiao.sqlite3"]
    raw = [sqlite_bytes(p) for p in databases]
    audit, rows = sqlite_audit_text(home / "huxiao.sqlite3")
    report = scan("demo", recorded, {
        "db": (b"".join(data for data, _ in raw), " + ".join(described for _, described in raw)),
        "audit": (audit.encode(), f"the {rows} rows of auditlog_logentry"),
        "log": (done.stdout + b"\n" + done.stderr,
                f"stdout ({len(done.stdout):,} B) and stderr ({len(done.stderr):,} B), LOG_LEVEL=DEBUG"),
    })
    privacy_scan.publish(pytestconfig, report)  # its figures in the run's summary
    assert not report.failed, report.text()
    # Not vacuous: the demo's people were recorded, and the bytes scanned are the demo's rows.
    assert report.kinds.get("id_number", 0) >= 100 and report.kinds.get("phone", 0) >= 20, report.summary()
    assert b"K01-admin" in raw[1][0] and rows > 100 and b"[redacted]" in audit.encode()
