"""Benchmark of the compliance engine and matrix (issue #3, must-show 3; F-COMP, F-DASH).

Builds a city-scale data set in a database of its own (3,000 units in one sub-district — the worst case
for one viewer — with 30,000 guards and the rest in proportion), then times:

  (a) one evaluation of every rule for every unit (``engine.evaluate``), and a refresh that stores it;
  (b) the matrix page filtered to failing kindergartens, through Django's whole request stack;
  (c) the first page of ``GET /api/v1/compliance/?status=fail``.

Each figure is reported with a floor measured in the same run, because this machine is noisy:
  - for (a), reading the same rows the rules read with bare psycopg (the data's own cost);
  - for (b) and (c), ``GET /api/v1/me/`` through the same stack (the cost of any request).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/huxiao_bench python bench/compliance.py
    python bench/compliance.py --units 40 --repeat 3        # CI's smoke run

Writes bench/results/compliance.json (and prints a table). The database named in DATABASE_URL is
dropped and created again: never point it at real data.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
GOALS_MS = {"evaluate": 1000, "matrix": 300, "api": 300}


def progress(label: str, done: int, total: int) -> None:
    width = 30
    filled = int(width * done / max(total, 1))
    sys.stderr.write(f"\r  [{'█' * filled}{'░' * (width - filled)}] {done:>6}/{total:<6} {label:<28}")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def configure(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    # Fixed keys: the data is synthetic, and a fixed key lets a second process (a profiler) read it.
    os.environ.setdefault("SECRET_KEY", "bench-not-a-secret-" + "x" * 40)
    os.environ.setdefault("HUXIAO_FIELD_KEYS", "b1:" + base64.b64encode(b"huxiao-bench-field-key-32-bytes!").decode())
    os.environ.setdefault("HUXIAO_HASH_KEY", "huxiao-bench-hash-key-not-a-secret")
    os.environ.setdefault("HUXIAO_HOME", str(ROOT / "bench" / ".work"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huxiao.settings")
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost,127.0.0.1"
    (ROOT / "bench" / ".work").mkdir(parents=True, exist_ok=True)


def recreate_database(database_url: str) -> None:
    """Drop and create the bench database (PostgreSQL) or delete the file (SQLite)."""
    import dj_database_url

    cfg = dj_database_url.parse(database_url)
    if "sqlite" in cfg["ENGINE"]:
        for suffix in ("", "-wal", "-shm"):
            Path(str(cfg["NAME"]) + suffix).unlink(missing_ok=True)
        return
    import psycopg

    name = cfg["NAME"]
    if not name.startswith("huxiao_bench"):
        sys.exit(f"refusing to drop {name!r}: the bench database's name must start with huxiao_bench")
    admin = psycopg.connect(host=cfg["HOST"] or "127.0.0.1", port=cfg["PORT"] or 5432, user=cfg["USER"],
                            password=cfg["PASSWORD"] or None, dbname="postgres", autocommit=True)
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def build(units_n: int, seed: int = 7) -> dict[str, int]:
    """The city: one sub-district, 60 communities, 20 police stations, ``units_n`` units (a third
    kindergartens), 10 guards per unit on average, the rest in proportion. Bulk inserts only."""
    from django.db import connection, transaction

    from huxiao.core.models import Organisation, OrgType, Role, Unit, User
    from huxiao.force import models as force
    from huxiao.timetable.models import Holiday, TimetableWindow

    rng = random.Random(seed)
    today = date.today()
    total_steps = 9
    step = 0

    def tick(label: str) -> None:
        nonlocal step
        step += 1
        progress(label, step, total_steps)

    with transaction.atomic():
        sd = Organisation.objects.create(type=OrgType.SUBDISTRICT, code="CITY", name="城区")
        sd.subdistrict = sd
        sd.save()
        communities = Organisation.objects.bulk_create([
            Organisation(type=OrgType.COMMUNITY, code=f"C{i:03d}", name=f"第{i}社区", parent=sd, subdistrict=sd)
            for i in range(max(2, units_n // 50))])
        stations = Organisation.objects.bulk_create([
            Organisation(type=OrgType.POLICE_STATION, code=f"P{i:03d}", name=f"第{i}派出所", parent=sd, subdistrict=sd)
            for i in range(max(1, units_n // 150))])
        User.objects.create_user("bench-admin", password="bench-password-1", role=Role.SUBDISTRICT_ADMIN,
                                 organisation=sd)
        tick("organisations")
        orgs = Organisation.objects.bulk_create([
            Organisation(type=OrgType.UNIT, code=f"U{i:05d}", name=f"第{i}{'幼儿园' if i % 3 == 0 else '小学'}",
                         parent=communities[i % len(communities)], subdistrict=sd, lat=30.2 + rng.random() / 10,
                         lng=120.1 + rng.random() / 10) for i in range(units_n)])
        unit_table = Unit._meta.db_table
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {unit_table} (organisation_id, kind, pupils, boarding, police_station_id, principal, "
                "active) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                [(o.pk, "kindergarten" if i % 3 == 0 else "primary", rng.randint(80, 2400), i % 10 == 0,
                  stations[i % len(stations)].pk, "校长", True) for i, o in enumerate(orgs)])
        units = list(Unit.objects.order_by("pk"))
        tick("units")
        windows = []
        for u in units:
            if u.kind == "kindergarten":
                spans = [("arrival", dtime(7, 30), dtime(8, 30)), ("class", dtime(8, 30), dtime(16, 0)),
                         ("dismissal", dtime(16, 0), dtime(17, 0))]
            else:
                spans = [("arrival", dtime(7, 20), dtime(8, 0)), ("class", dtime(8, 0), dtime(11, 50)),
                         ("dismissal", dtime(11, 50), dtime(12, 20)), ("arrival", dtime(13, 10), dtime(13, 40)),
                         ("class", dtime(13, 40), dtime(16, 30)), ("dismissal", dtime(16, 30), dtime(17, 30))]
            windows += [TimetableWindow(unit=u, kind=k, start=s, end=e) for k, s, e in spans]
        TimetableWindow.objects.bulk_create(windows, batch_size=5000)
        Holiday.objects.bulk_create([Holiday(unit=u, date=date(today.year, 1, 1), name="元旦") for u in units],
                                    batch_size=5000)
        tick("timetables")
        guards = []
        for u in units:
            for g in range(rng.randint(7, 13)):
                # Mostly 25 to 55 years old; one in a hundred older (the rule's target).
                year = today.year - (rng.randint(56, 62) if rng.random() < 0.01 else rng.randint(25, 54))
                born = date(year, rng.randint(1, 12), rng.randint(1, 28))
                guards.append(force.Guard(unit=u, name=f"保安{g}", birth_date=born, id_number=f"33010619900101{g:04d}",
                                          phone=f"139{rng.randint(10_000_000, 99_999_999)}",
                                          certificate_no="" if rng.random() < 0.003 else f"C{g}",
                                          active=rng.random() > 0.05))
        force.Guard.objects.bulk_create(guards, batch_size=5000)
        tick(f"{len(guards)} guards")
        kinds = ["restraining_fork", "stab_vest", "cut_gloves", "baton", "helmet", "shield"]
        force.Equipment.objects.bulk_create([force.Equipment(unit=u, kind=k, quantity=2) for u in units for k in kinds
                                             if rng.random() > 0.01], batch_size=5000)
        assignments = []
        for u in units:
            assignments.append(force.PoliceAssignment(unit=u, officer_name="前任", badge_no="0001", phone="1",
                                                      start_date=date(today.year - 2, 1, 1),
                                                      end_date=date(today.year - 1, 12, 31)))
            if rng.random() > 0.03:
                assignments.append(force.PoliceAssignment(unit=u, officer_name=f"民警{u.pk % 97}",
                                                          badge_no=f"{u.pk % 97:06d}", phone="13900000000",
                                                          start_date=date(today.year, 1, 1)))
        force.PoliceAssignment.objects.bulk_create(assignments, batch_size=5000)
        lvps = force.LegalVicePrincipal.objects.bulk_create([
            force.LegalVicePrincipal(unit=u, name="法制副校长", start_date=date(today.year - 1, 9, 1)) for u in units
            if rng.random() > 0.03], batch_size=5000)
        force.Lecture.objects.bulk_create([
            force.Lecture(unit_id=lvp.unit_id, lecturer=lvp, date=today - timedelta(days=30 * i), class_name="一班",
                          topic="traffic", class_hours=1)
            for lvp in lvps for i in range(2 if rng.random() < 0.1 else rng.randint(4, 6))
            if (today - timedelta(days=30 * i)).year == today.year], batch_size=5000)
        force.PoliceRoom.objects.bulk_create([force.PoliceRoom(unit=u, set_up=True, location="duty_room")
                                              for u in units if rng.random() > 0.03], batch_size=5000)
        tick("equipment, police, lectures")
        officer = User.objects.create_user("bench-police", password="bench-password-1", role=Role.POLICE,
                                           organisation=stations[0])
        checkins = []
        by_unit: dict[int, list[TimetableWindow]] = {}
        for w in TimetableWindow.objects.filter(kind__in=["arrival", "dismissal"]):
            by_unit.setdefault(w.unit_id, []).append(w)
        for u in units:
            for back in range(7):
                day = today - timedelta(days=back)
                if day.isoweekday() > 5:
                    continue
                for w in by_unit.get(u.pk, []):
                    if rng.random() < 0.93:
                        at = datetime.combine(day, w.start).astimezone()
                        checkins.append(force.CheckIn(unit=u, user=officer, role="police", person_name="民警", at=at,
                                                      method="qr", window=w, window_kind=w.kind, day=day))
        force.CheckIn.objects.bulk_create(checkins, batch_size=5000)
        tick(f"{len(checkins)} check-ins")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
    tick("analyse")
    from huxiao.compliance import engine

    stats = engine.refresh()
    tick(f"{stats.results} verdicts stored")
    return {"units": units_n, "guards": len(guards), "checkins": len(checkins), "results": stats.results}


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median_ms": round(statistics.median(ordered), 1), "p95_ms": round(p95, 1),
            "min_ms": round(ordered[0], 1), "n": len(ordered)}


def floor_read() -> None:
    """The rows the rules read, with bare psycopg/sqlite3 and no ORM: the data's own cost."""
    from django.db import connection

    sqls = [
        "SELECT organisation_id, kind, pupils FROM core_unit WHERE active",
        "SELECT unit_id, name, birth_date, certificate_no FROM force_guard WHERE active",
        "SELECT unit_id, officer_name, badge_no, start_date, end_date FROM force_policeassignment",
        "SELECT unit_id, name, start_date, end_date FROM force_legalviceprincipal",
        "SELECT unit_id, SUM(class_hours) FROM force_lecture GROUP BY unit_id",
        "SELECT unit_id, kind, quantity FROM force_equipment",
        "SELECT unit_id, set_up FROM force_policeroom",
        "SELECT unit_id, weekdays, start, \"end\" FROM gate_timetablewindow WHERE kind IN ('arrival', 'dismissal')",
        "SELECT unit_id, date FROM gate_holiday",
        "SELECT unit_id, at FROM force_checkin WHERE role = 'police'",
    ]
    raw = connection.connection
    if raw is None:
        connection.ensure_connection()
        raw = connection.connection
    cur = raw.cursor()
    for sql in sqls:
        cur.execute(sql)
        cur.fetchall()
    cur.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--database", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/huxiao_bench"))
    parser.add_argument("--out", default=str(RESULTS / "compliance.json"))
    args = parser.parse_args()

    configure(args.database)
    recreate_database(args.database)
    import django

    django.setup()
    from django.core.management import call_command

    sys.stderr.write("Migrating …\n")
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # pages are timed with production storage
    sys.stderr.write(f"Building a city of {args.units} units …\n")
    built = build(args.units)

    from django.db import connection, reset_queries
    from django.test import Client

    from huxiao.compliance import engine
    from huxiao.core.models import User

    sys.stderr.write("Timing …\n")
    figures: dict[str, object] = {}
    repeat_eval = max(3, args.repeat // 4)
    floor_a = timed(floor_read, repeat_eval)
    executed: list[str] = []

    def count_queries(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count_queries):
        verdicts = engine.evaluate()
    evaluate = timed(engine.evaluate, repeat_eval)
    progress("evaluate", 1, 4)
    refresh = timed(engine.refresh, repeat_eval)
    progress("refresh (nothing changed)", 2, 4)

    client = Client()
    client.force_login(User.objects.get(username="bench-admin"))
    matrix_url = "/compliance/?kind=kindergarten&status=fail"
    api_url = "/api/v1/compliance/?status=fail"
    for url in (matrix_url, api_url, "/api/v1/me/"):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    from huxiao.compliance.selectors import MatrixFilters, filtered_units

    admin = User.objects.get(username="bench-admin")
    failing_kindergartens = filtered_units(admin, MatrixFilters(kind="kindergarten", status="fail")).count()
    api_count = client.get(api_url).json()["count"]
    floor_req = timed(lambda: client.get("/api/v1/me/"), args.repeat)
    matrix = timed(lambda: client.get(matrix_url), args.repeat)
    progress("matrix page", 3, 4)
    api = timed(lambda: client.get(api_url), args.repeat)
    progress("compliance API", 4, 4)
    reset_queries()

    def entry(samples: list[float], floor: list[float], goal: str) -> dict[str, object]:
        s = summary(samples)
        f = summary(floor)
        return {**s, "floor_median_ms": f["median_ms"], "ratio_to_floor": round(s["median_ms"] / f["median_ms"], 1),
                "goal_ms": GOALS_MS[goal], "meets_goal": s["median_ms"] < GOALS_MS[goal]}

    figures = {
        "evaluate_all_rules": {**entry(evaluate, floor_a, "evaluate"), "queries": len(executed),
                               "verdicts": len(verdicts), "floor": "bare SQL read of the same rows"},
        "refresh_unchanged": {**summary(refresh), "note": "evaluate + compare + store (no verdict changed)"},
        "matrix_failing_kindergartens": {**entry(matrix, floor_req, "matrix"), "units_listed": failing_kindergartens,
                                         "floor": "GET /api/v1/me/ through the same stack"},
        "api_status_fail_first_page": {**entry(api, floor_req, "api"), "count": api_count,
                                       "floor": "GET /api/v1/me/ through the same stack"},
    }
    report = {
        "when": datetime.now().astimezone().isoformat(timespec="seconds"),
        "database": connection.vendor, "python": platform.python_version(), "cpus": os.cpu_count(),
        "data": built, "figures": figures,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    print(f"\n{built['units']} units, {built['guards']} guards, {built['checkins']} check-ins on {connection.vendor}")
    print(f"{'measure':34} {'median':>9} {'p95':>9} {'floor':>9} {'ratio':>6}  goal")
    for name, f in figures.items():
        fl = f.get("floor_median_ms", "")
        ratio = f.get("ratio_to_floor", "")
        goal = f"< {f['goal_ms']} ms {'✔' if f.get('meets_goal') else '✘'}" if "goal_ms" in f else ""
        print(f"{name:34} {f['median_ms']:>7} ms {f['p95_ms']:>6} ms {fl!s:>6} ms {ratio!s:>6}  {goal}")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
