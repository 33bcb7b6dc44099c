"""Benchmark of the live alarm stream (issue #5, must-show 3; F-TECH-3).

Serves Huxiao as in production: ``huxiao serve --workers 2`` (uvicorn), PostgreSQL and Redis. It
connects ``--consoles`` police consoles to ``/api/v1/alarms/stream/``; the kernel spreads them over
the two workers. A guard then raises alarms at ``--rate`` per second for ``--seconds``, plus a burst of
``--burst`` at once halfway through.

Measured, for every alarm at every console: the delay from the moment the server published the alarm
(just after its transaction committed: ``published_at`` in the event) to its arrival at that console.
Also counted: the alarms some console never received ("lost").

In the same run, a floor: a bare Redis pub/sub round trip at the same rate, from a publisher to one
subscriber per worker.

    python bench/alarms.py                           # writes bench/results/alarms.json
    python bench/alarms.py --consoles 10 --seconds 2 # CI's smoke run

The database in --database is dropped and created again (its name must start with huxiao_bench).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from compliance import RESULTS, ROOT, configure, progress, recreate_database
from gate import start, stop
from live import Console, StreamClosed, free_port, post_json

HOST = "127.0.0.1"


def build() -> tuple[int, str, str]:
    from django.db import transaction

    from huxiao.core.models import ApiToken, Organisation, OrgType, Role, Unit, User

    with transaction.atomic():
        sd = Organisation.objects.create(type=OrgType.SUBDISTRICT, code="ALRM", name="报警街道")
        sd.subdistrict = sd
        sd.save()
        community = Organisation.objects.create(type=OrgType.COMMUNITY, code="AC", name="社区", parent=sd,
                                                subdistrict=sd)
        station = Organisation.objects.create(type=OrgType.POLICE_STATION, code="AP", name="派出所", parent=sd,
                                              subdistrict=sd)
        unit = Unit.objects.create(type=OrgType.UNIT, code="AK", name="报警幼儿园", kind="kindergarten",
                                   parent=community, subdistrict=sd, police_station=station)
        guard = User.objects.create_user("bench-guard", password="bench-password-1", role=Role.GUARD,
                                         organisation=unit)
        police = User.objects.create_user("bench-police", password="bench-password-1", role=Role.POLICE,
                                          organisation=station)
        guard_key = ApiToken.issue(guard, hours=24)[1]
        police_key = ApiToken.issue(police, hours=24)[1]
    return unit.pk, guard_key, police_key


def _percentiles(samples: list[float]) -> dict[str, float]:
    if not samples:
        return {"p50_ms": 0.0, "p99_ms": 0.0, "max_ms": 0.0}
    ordered = sorted(samples)
    return {"p50_ms": round(1000 * statistics.median(ordered), 1),
            "p99_ms": round(1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 1),
            "max_ms": round(1000 * ordered[-1], 1)}


def _schedule(rate: float, seconds: float, burst: int) -> list[float]:
    """When each alarm is due, from 0: evenly at ``rate`` per second, plus ``burst`` at once halfway."""
    steady = [i / rate for i in range(int(rate * seconds))]
    return sorted(steady + [seconds / 2] * burst)


async def huxiao_run(port: int, unit: int, guard_key: str, police_key: str, *, consoles: int, rate: float,
                     seconds: float, burst: int) -> dict[str, object]:
    delays: list[float] = []
    received: list[set[int]] = [set() for _ in range(consoles)]
    clients = [Console(HOST, port, police_key) for _ in range(consoles)]

    async def listen(i: int) -> None:
        try:
            async for event, data, _id, arrived in clients[i].events():
                if event == "alarm" and data["id"] not in received[i]:
                    received[i].add(data["id"])
                    if "published_at" in data:  # live; a catch-up from the database carries no such stamp
                        delays.append(arrived - data["published_at"])
        except (StreamClosed, ConnectionError, asyncio.IncompleteReadError):
            return

    for i, client in enumerate(clients):
        await client.connect()
        if (i + 1) % 50 == 0 or i + 1 == consoles:
            progress("consoles connected", i + 1, consoles)
    tasks = [asyncio.create_task(listen(i)) for i in range(consoles)]
    await asyncio.sleep(1.0)

    raised: list[int] = []
    statuses: dict[int, int] = {}
    due = _schedule(rate, seconds, burst)
    t0 = time.perf_counter()

    async def one(at: float) -> None:
        delay = t0 + at - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        status, body = await post_json(HOST, port, guard_key, "/api/v1/alarms/", {"unit": unit, "note": "bench"})
        statuses[status] = statuses.get(status, 0) + 1
        if status == 201:
            raised.append(body["id"])

    await asyncio.gather(*(one(at) for at in due))
    progress("alarms raised", len(due), len(due))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not all(set(raised) <= r for r in received):
        await asyncio.sleep(0.05)
    for task in tasks:
        task.cancel()
    for client in clients:
        client.close()
    lost = sum(len(set(raised) - r) for r in received)
    return {"consoles": consoles, "alarms": len(raised), "deliveries": len(delays), **_percentiles(delays),
            "lost": lost, "statuses": statuses}


async def floor_run(redis_url: str, *, subscribers: int, rate: float, seconds: float,
                    burst: int) -> dict[str, object]:
    """A bare Redis pub/sub round trip: a publisher, ``subscribers`` subscribers (one per worker)."""
    import redis.asyncio as aioredis

    channel = "huxiao:bench-floor"
    delays: list[float] = []
    counts = [0] * subscribers
    ready = asyncio.Event()
    subscribed = 0

    async def subscriber(i: int) -> None:
        nonlocal subscribed
        client = aioredis.Redis.from_url(redis_url)
        async with client.pubsub() as pubsub:
            await pubsub.subscribe(channel)
            subscribed += 1
            if subscribed == subscribers:
                ready.set()
            async for message in pubsub.listen():
                if message.get("type") != "message":
                    continue
                data = json.loads(message["data"])
                if data.get("end"):
                    break
                delays.append(time.time() - data["published_at"])
                counts[i] += 1
        await client.aclose()

    tasks = [asyncio.create_task(subscriber(i)) for i in range(subscribers)]
    await ready.wait()
    publisher = aioredis.Redis.from_url(redis_url)
    due = _schedule(rate, seconds, burst)
    t0 = time.perf_counter()

    async def one(at: float, n: int) -> None:
        delay = t0 + at - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        await publisher.publish(channel, json.dumps({"id": n, "published_at": time.time()}))

    await asyncio.gather(*(one(at, n) for n, at in enumerate(due)))
    await publisher.publish(channel, json.dumps({"end": True}))
    await asyncio.wait_for(asyncio.gather(*tasks), 10)
    await publisher.aclose()
    return {"subscribers": subscribers, "messages": len(due), "deliveries": len(delays), **_percentiles(delays),
            "lost": len(due) * subscribers - sum(counts)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--consoles", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rate", type=float, default=10)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--burst", type=int, default=10)
    parser.add_argument("--database", default=os.environ.get(
        "BENCH_ALARMS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/huxiao_bench_alarms"))
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"))
    parser.add_argument("--out", default=str(RESULTS / "alarms.json"))
    args = parser.parse_args()

    configure(args.database)
    os.environ["REDIS_URL"] = args.redis
    recreate_database(args.database)
    import django

    django.setup()
    from django.core.management import call_command

    sys.stderr.write("Migrating …\n")
    call_command("migrate", verbosity=0)
    unit, guard_key, police_key = build()

    sys.stderr.write(f"Floor: Redis pub/sub, {args.workers} subscribers …\n")
    floor = asyncio.run(floor_run(args.redis, subscribers=args.workers, rate=args.rate, seconds=args.seconds,
                                  burst=args.burst))
    port = free_port()
    env = {**os.environ, "HUXIAO_DB_POOL": "true", "LOG_LEVEL": "WARNING", "DEBUG": "false",
           "PYTHONPATH": str(ROOT)}
    sys.stderr.write(f"Starting Huxiao on :{port} ({args.workers} workers, Redis) …\n")
    server = start([sys.executable, "-m", "huxiao.cli", "serve", "--workers", str(args.workers), "--port", str(port),
                    "--no-collectstatic", "--no-worker", "--no-access-log"], env, port, police_key)
    try:
        huxiao = asyncio.run(huxiao_run(port, unit, guard_key, police_key, consoles=args.consoles, rate=args.rate,
                                        seconds=args.seconds, burst=args.burst))
    finally:
        stop(server)

    report = {
        "when": datetime.now().astimezone().isoformat(timespec="seconds"), "python": platform.python_version(),
        "cpus": os.cpu_count(), "workers": args.workers, "rate_per_s": args.rate, "seconds": args.seconds,
        "burst": args.burst, "results": {"floor": floor, "huxiao": huxiao},
        "p99_ratio_to_floor": round(huxiao["p99_ms"] / floor["p99_ms"], 1) if floor["p99_ms"] else None,  # type: ignore[operator]
        "goals": {"p99_ms_at_most": 50, "lost": 0},
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    print(f"\n{'':8} {'deliveries':>11} {'p50':>8} {'p99':>8} {'max':>8}  lost")
    for name, r in (("floor", floor), ("huxiao", huxiao)):
        print(f"{name:8} {r['deliveries']:>11} {r['p50_ms']:>6}ms {r['p99_ms']:>6}ms {r['max_ms']:>6}ms  {r['lost']}")
    print(f"p99 {huxiao['p99_ms']} ms (goal ≤ 50), lost {huxiao['lost']} (goal 0); written to {out}")


if __name__ == "__main__":
    main()
