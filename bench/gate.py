"""Benchmark of the dismissal's hot path, ``POST /api/v1/pickups/`` (issue #4, must-show 4; F-GATE-2).

Runs Huxiao as in production — ``huxiao serve --workers N`` (uvicorn, PostgreSQL with the psycopg pool) —
and, in the same run, a floor: a minimal ASGI app doing the same SQL with psycopg (``bench/floor_app.py``).
Measures, for both: saturated throughput (releases per second with many guards sending at once), and
p50/p99 latency at an offered load of 200 releases per second (open loop: latency counts from when the
request was due, so a slow server is not flattered).

    python bench/gate.py                         # writes bench/results/gate.json
    python bench/gate.py --children 800 --seconds 1 --rate 50 --rounds 1    # CI's smoke run

Both servers run side by side (an idle one costs nothing); they are measured in turn, ``--rounds`` times,
with the releases cleared before each run, and the medians reported: this machine's speed drifts by a
fifth from one minute to the next, and a floor measured minutes away from Huxiao would skew the ratio.

The database in --database is dropped and created again (its name must start with huxiao_bench).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from compliance import RESULTS, ROOT, configure, progress, recreate_database
from live import free_port

# --- a small HTTP/1.1 client: keep-alive, no dependencies, low overhead ---------------------------------

class Connection:
    def __init__(self, host: str, port: int, token: str) -> None:
        self.host, self.port, self.token = host, port, token
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def post(self, path: str, payload: dict) -> int:
        body = json.dumps(payload).encode()
        head = (f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nContent-Type: application/json\r\n"
                f"Authorization: Token {self.token}\r\nContent-Length: {len(body)}\r\n\r\n").encode()
        assert self.writer is not None and self.reader is not None
        self.writer.write(head + body)
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        length, chunked = 0, False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
        if chunked:
            while True:
                size = int((await self.reader.readline()).strip(), 16)
                await self.reader.readexactly(size + 2)
                if size == 0:
                    break
        elif length:
            await self.reader.readexactly(length)
        return status

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def saturate(host: str, port: int, token: str, pairs: list[tuple[int, int]], *, clients: int,
                   seconds: float) -> dict[str, float]:
    """``clients`` guards send releases back to back for ``seconds``: releases per second, latencies."""
    it = iter(pairs)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    deadline = time.perf_counter() + seconds

    async def guard() -> None:
        conn = Connection(host, port, token)
        await conn.open()
        try:
            while time.perf_counter() < deadline:
                try:
                    child, person = next(it)
                except StopIteration:
                    return
                start = time.perf_counter()
                status = await conn.post("/api/v1/pickups/", {"child": child, "person": person})
                latencies.append(time.perf_counter() - start)
                statuses[status] = statuses.get(status, 0) + 1
        finally:
            conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(guard() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    return {"requests_per_s": round(len(latencies) / elapsed, 1), **_percentiles(latencies), "statuses": statuses,
            "requests": len(latencies)}


async def offered(host: str, port: int, token: str, pairs: list[tuple[int, int]], *, rate: float,
                  seconds: float, connections: int = 64) -> dict[str, float]:
    """Open loop at ``rate`` releases per second; latency counted from when each request was due."""
    pool: asyncio.Queue[Connection] = asyncio.Queue()
    for _ in range(connections):
        conn = Connection(host, port, token)
        await conn.open()
        pool.put_nowait(conn)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    total = int(rate * seconds)
    t0 = time.perf_counter() + 0.05

    async def one(i: int, child: int, person: int) -> None:
        due = t0 + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        conn = await pool.get()
        try:
            status = await conn.post("/api/v1/pickups/", {"child": child, "person": person})
        finally:
            pool.put_nowait(conn)
        latencies.append(time.perf_counter() - due)
        statuses[status] = statuses.get(status, 0) + 1

    await asyncio.gather(*(one(i, c, p) for i, (c, p) in zip(range(total), pairs, strict=False)))
    while not pool.empty():
        pool.get_nowait().close()
    return {"offered_per_s": rate, **_percentiles(latencies), "statuses": statuses, "requests": len(latencies)}


def _percentiles(samples: list[float]) -> dict[str, float]:
    if not samples:
        return {"p50_ms": 0.0, "p99_ms": 0.0}
    ordered = sorted(samples)
    return {"p50_ms": round(1000 * statistics.median(ordered), 1),
            "p99_ms": round(1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 1)}


# --- set-up ---------------------------------------------------------------------------------------------

def build(children_n: int) -> tuple[str, list[tuple[int, int]]]:
    from django.db import transaction

    from huxiao.core.models import ApiToken, Organisation, OrgType, Role, Unit, User
    from huxiao.gate.models import Child, PickupPerson, SchoolClass, new_credential

    with transaction.atomic():
        sd = Organisation.objects.create(type=OrgType.SUBDISTRICT, code="GATE", name="门岗街道")
        sd.subdistrict = sd
        sd.save()
        community = Organisation.objects.create(type=OrgType.COMMUNITY, code="GC", name="社区", parent=sd,
                                                subdistrict=sd)
        unit = Unit.objects.create(type=OrgType.UNIT, code="GK", name="门岗幼儿园", kind="kindergarten",
                                   parent=community, subdistrict=sd)
        guard = User.objects.create_user("bench-guard", password="bench-password-1", role=Role.GUARD,
                                         organisation=unit)
        _record, token = ApiToken.issue(guard, hours=24)
        klass = SchoolClass.objects.create(unit=unit, name="大一班")
        kids = Child.objects.bulk_create([Child(unit=unit, school_class=klass, name=f"孩子{i}")
                                          for i in range(children_n)], batch_size=5000)
        progress("children", 1, 2)
        persons = PickupPerson.objects.bulk_create([
            PickupPerson(child=k, unit=unit, name=f"家长{i}", relation="母亲", id_number="33010619900101123X",
                         birth_date=date(1990, 1, 1), credential=new_credential(),
                         credential_issued_at=datetime.now().astimezone())
            for i, k in enumerate(kids)], batch_size=5000)
        progress("pick-up persons", 2, 2)
    return token, [(k.pk, p.pk) for k, p in zip(kids, persons, strict=True)]


def start(cmd: list[str], env: dict[str, str], port: int, token: str) -> subprocess.Popen[bytes]:
    # The server's log goes to a file: a pipe nobody reads fills up and stalls the server.
    log = open(ROOT / "bench" / ".work" / f"server-{port}.log", "wb")  # noqa: SIM115  (closed with the process)
    process = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=log, stderr=log, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                time.sleep(0.5)
                return process
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"the server died: see {log.name}") from None
            time.sleep(0.2)
    raise RuntimeError(f"nothing listens on {port}")


def stop(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


def clear_releases() -> None:
    """Between runs: no release left, so every run hands over children not yet taken (the same children
    serve every round). TRUNCATE leaves no dead rows behind to slow the next run."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE gate_release")
        cursor.execute("ANALYZE gate_release")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, default=40000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=6)
    parser.add_argument("--rounds", type=int, default=3,
                        help="floor and Huxiao are measured in turn this many times; the figures reported are the "
                             "medians (this machine's speed drifts by a fifth from minute to minute)")
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--database", default=os.environ.get(
        "BENCH_GATE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/huxiao_bench_gate"))
    parser.add_argument("--out", default=str(RESULTS / "gate.json"))
    args = parser.parse_args()

    configure(args.database)
    recreate_database(args.database)
    import django

    django.setup()
    from django.core.management import call_command

    sys.stderr.write("Migrating …\n")
    call_command("migrate", verbosity=0)
    sys.stderr.write(f"Building {args.children} children with their pick-up persons …\n")
    token, pairs = build(args.children)
    half = len(pairs) // 2
    warm = min(1000, half // 4)
    env = {**os.environ, "HUXIAO_DB_POOL": "true", "LOG_LEVEL": "WARNING", "DEBUG": "false",
           "PYTHONPATH": str(ROOT)}
    floor = [sys.executable, "-m", "uvicorn", "bench.floor_app:app", "--workers", str(args.workers),
             "--log-level", "warning", "--no-access-log", "--port"]
    commands: dict[str, tuple[Callable[[int], list[str]], dict[str, str]]] = {
        # The floor of issue #4: Huxiao's SQL for a release, audit entry and transaction included.
        "floor": (lambda p: [*floor, str(p)], {"FLOOR_SQL": "same"}),
        # Less than Huxiao's SQL (no audit entry, no transaction): the first floor of this benchmark.
        "floor_lean": (lambda p: [*floor, str(p)], {"FLOOR_SQL": "lean"}),
        "huxiao": (lambda p: [sys.executable, "-m", "huxiao.cli", "serve", "--workers", str(args.workers),
                              "--port", str(p), "--no-collectstatic", "--no-worker",
                              # As the floor: no access log (in production the proxy in front keeps it).
                              "--no-access-log"], {}),
    }
    ports: dict[str, int] = {}
    servers: dict[str, subprocess.Popen[bytes]] = {}
    runs: dict[str, list[dict[str, dict]]] = {name: [] for name in commands}
    try:
        for name, (cmd_of, extra_env) in commands.items():
            ports[name] = free_port()
            sys.stderr.write(f"Starting {name} on :{ports[name]} ({args.workers} workers) …\n")
            servers[name] = start(cmd_of(ports[name]), {**env, **extra_env}, ports[name], token)
        steps, step = 2 * len(commands) * args.rounds, 0
        for _round in range(args.rounds):
            for name in commands:  # in turn, so a slow minute of the machine hits both alike
                clear_releases()
                port = ports[name]
                # Warm up at full concurrency: the servers' connection pools grow to their working size.
                asyncio.run(saturate("127.0.0.1", port, token, pairs[:warm], clients=args.clients, seconds=1))
                sat = asyncio.run(saturate("127.0.0.1", port, token, pairs[warm:half], clients=args.clients,
                                           seconds=args.seconds))
                step += 1
                progress(f"{name}: saturated", step, steps)
                at_rate = asyncio.run(offered("127.0.0.1", port, token, pairs[half:], rate=args.rate,
                                              seconds=args.seconds))
                step += 1
                progress(f"{name}: {args.rate:g}/s offered", step, steps)
                runs[name].append({"saturated": sat, "at_rate": at_rate})
    finally:
        for server in servers.values():
            stop(server)

    def ratios_to(floor_name: str) -> list[float]:
        return [h["saturated"]["requests_per_s"] / f["saturated"]["requests_per_s"]
                for f, h in zip(runs[floor_name], runs["huxiao"], strict=True) if f["saturated"]["requests_per_s"]]

    ratios, lean_ratios = ratios_to("floor"), ratios_to("floor_lean")
    def median(values: Iterable[float]) -> float:
        return round(statistics.median(values), 1)

    results = {name: {
        "saturated": {"requests_per_s": median(r["saturated"]["requests_per_s"] for r in rs),
                      "p50_ms": median(r["saturated"]["p50_ms"] for r in rs),
                      "p99_ms": median(r["saturated"]["p99_ms"] for r in rs)},
        "at_rate": {"offered_per_s": args.rate,
                    "p50_ms": median(r["at_rate"]["p50_ms"] for r in rs),
                    "p99_ms": median(r["at_rate"]["p99_ms"] for r in rs),
                    "p99_ms_worst_round": max(r["at_rate"]["p99_ms"] for r in rs)},
        "rounds": rs,
    } for name, rs in runs.items()}
    report = {
        "when": datetime.now().astimezone().isoformat(timespec="seconds"), "python": platform.python_version(),
        "cpus": os.cpu_count(), "workers": args.workers, "clients": args.clients, "seconds": args.seconds,
        "rounds": args.rounds, "children": args.children, "results": results,
        "throughput_ratio_to_floor": round(statistics.median(ratios), 2) if ratios else None,
        "throughput_ratio_each_round": [round(r, 2) for r in ratios],
        "throughput_ratio_to_lean_floor": round(statistics.median(lean_ratios), 2) if lean_ratios else None,
        "goals": {"throughput_ratio_at_least": 0.33, "p99_ms_at_200_per_s_at_most": 50},
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    print(f"\n{'':10} {'saturated /s':>13} {'p50':>8} {'p99':>8}   {'at ' + format(args.rate, 'g') + '/s p50':>14} "
          f"{'p99':>8}  (medians of {args.rounds} rounds)")
    for name, r in results.items():
        sat, rate = r["saturated"], r["at_rate"]
        print(f"{name:10} {sat['requests_per_s']:>13} {sat['p50_ms']:>6}ms {sat['p99_ms']:>6}ms   "
              f"{rate['p50_ms']:>12}ms {rate['p99_ms']:>6}ms")
    statuses = {name: [sorted({**x["saturated"]["statuses"], **x["at_rate"]["statuses"]}) for x in rs]
                for name, rs in runs.items()}
    print(f"statuses: {statuses}")
    print(f"throughput ratio to the floor: {report['throughput_ratio_to_floor']} (goal ≥ 0.33; each round "
          f"{report['throughput_ratio_each_round']}); p99 at {args.rate:g}/s: "
          f"{results['huxiao']['at_rate']['p99_ms']} ms (goal ≤ 50; worst round "
          f"{results['huxiao']['at_rate']['p99_ms_worst_round']} ms)")
    print(f"against the lean floor (no audit entry, no transaction): {report['throughput_ratio_to_lean_floor']}")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
