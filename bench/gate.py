"""Benchmark of the dismissal's hot path, ``POST /api/v1/pickups/`` (issue #4, must-show 4; F-GATE-2).

Runs Huxiao as in production — ``huxiao serve --workers N`` (uvicorn, PostgreSQL with the psycopg pool) —
and, in the same run, a floor: a minimal ASGI app doing the same SQL with psycopg (``bench/floor_app.py``).
Measures, for both: saturated throughput (releases per second with many guards sending at once), and
p50/p99 latency at an offered load of 200 releases per second (open loop: latency counts from when the
request was due, so a slow server is not flattered).

    python bench/gate.py                         # writes bench/results/gate.json
    python bench/gate.py --children 300 --seconds 2 --rate 50    # CI's smoke run

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, default=40000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10)
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
    quarter = len(pairs) // 4
    env = {**os.environ, "HUXIAO_DB_POOL": "true", "LOG_LEVEL": "WARNING", "DEBUG": "false"}

    results: dict[str, dict] = {}
    for name, cmd_of, chunk in (
        ("floor", lambda p: [sys.executable, "-m", "uvicorn", "bench.floor_app:app", "--workers", str(args.workers),
                             "--port", str(p), "--log-level", "warning", "--no-access-log"], (0, 1)),
        ("huxiao", lambda p: [sys.executable, "-m", "huxiao.cli", "serve", "--workers", str(args.workers),
                              "--port", str(p), "--no-collectstatic", "--no-worker",
                              # As the floor: no access log (in production the proxy in front keeps it).
                              "--no-access-log"], (2, 3)),
    ):
        port = free_port()
        sys.stderr.write(f"Starting {name} on :{port} ({args.workers} workers) …\n")
        server = start(cmd_of(port), {**env, "PYTHONPATH": str(ROOT)}, port, token)
        try:
            sat_pairs = pairs[chunk[0] * quarter:(chunk[0] + 1) * quarter]
            load_pairs = pairs[chunk[1] * quarter:(chunk[1] + 1) * quarter]
            asyncio.run(saturate("127.0.0.1", port, token, sat_pairs[:200], clients=8, seconds=1))  # warm up
            sat = asyncio.run(saturate("127.0.0.1", port, token, sat_pairs[200:], clients=args.clients,
                                       seconds=args.seconds))
            progress(f"{name}: saturated", 1, 2)
            at_rate = asyncio.run(offered("127.0.0.1", port, token, load_pairs, rate=args.rate, seconds=args.seconds))
            progress(f"{name}: {args.rate:g}/s offered", 2, 2)
            results[name] = {"saturated": sat, "at_rate": at_rate}
        finally:
            stop(server)

    floor_rps = results["floor"]["saturated"]["requests_per_s"]
    huxiao_rps = results["huxiao"]["saturated"]["requests_per_s"]
    report = {
        "when": datetime.now().astimezone().isoformat(timespec="seconds"), "python": platform.python_version(),
        "cpus": os.cpu_count(), "workers": args.workers, "clients": args.clients, "seconds": args.seconds,
        "children": args.children, "results": results,
        "throughput_ratio_to_floor": round(huxiao_rps / floor_rps, 2) if floor_rps else None,
        "goals": {"throughput_ratio_at_least": 0.33, "p99_ms_at_200_per_s_at_most": 50},
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    print(f"\n{'':10} {'saturated /s':>13} {'p50':>8} {'p99':>8}   {'at ' + format(args.rate, 'g') + '/s p50':>14} "
          f"{'p99':>8}  statuses")
    for name, r in results.items():
        s, a = r["saturated"], r["at_rate"]
        print(f"{name:10} {s['requests_per_s']:>13} {s['p50_ms']:>6}ms {s['p99_ms']:>6}ms   {a['p50_ms']:>12}ms "
              f"{a['p99_ms']:>6}ms  {s['statuses']} {a['statuses']}")
    print(f"throughput ratio to the floor: {report['throughput_ratio_to_floor']} (goal ≥ 0.33); "
          f"p99 at {args.rate:g}/s: {results['huxiao']['at_rate']['p99_ms']} ms (goal ≤ 50)")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
