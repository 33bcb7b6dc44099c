"""Issue #5, must-show 2 (F-TECH-3): two server processes and Redis. A console on one hears an alarm raised
through the other. Then Redis is stopped in the middle of a storm of alarms: every alarm is still stored,
``POST /api/v1/alarms/`` never answers 5xx, and every console ends up with every alarm: the live ones once
Redis is back (the streams catch up from the database), one console after reconnecting with Last-Event-ID.

Real processes (uvicorn, as ``huxiao serve`` runs it), a private redis-server that the test stops and
starts, and whichever database the suite runs on.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bench.live import Console, StreamClosed, free_port, post_json
from django.db import connection

from huxiao.alarms.models import Alarm
from huxiao.core.models import ApiToken

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def _wait_port(port: int, process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.time() + 30
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on {port}")


def _redis(port: int) -> subprocess.Popen[bytes]:
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail("redis-server is missing: apt-get install -y redis-server")
    process = subprocess.Popen([server, "--bind", HOST, "--port", str(port), "--save", "", "--appendonly", "no"],  # noqa: S603
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_port(port, process, "redis-server")
    return process


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or HOST}:{s['PORT'] or 5432}/{s['NAME']}"


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.mark.django_db(transaction=True)
def test_two_workers_and_redis_nothing_lost_when_redis_stops(tmp_path: Path) -> None:
    from tests.factories import build_cast, load_cast

    cast = load_cast() or build_cast()
    unit = cast.unit_a
    police_key = ApiToken.issue(cast.users["police"])[1]
    guard_key = ApiToken.issue(cast.users["guard"])[1]
    connection.close()  # SQLite: let the servers write
    redis_port = free_port()
    state = {"redis": _redis(redis_port), "port": redis_port}
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "huxiao.settings_test", "DATABASE_URL": _database_url(),
           "REDIS_URL": f"redis://{HOST}:{redis_port}/0", "HUXIAO_SSE_CATCH_UP_SECONDS": "2",
           "PYTHONPATH": str(ROOT / "src")}
    ports = [free_port(), free_port()]
    servers = []
    for port in ports:
        log = open(tmp_path / f"server-{port}.log", "wb")  # noqa: SIM115  (closed with the process)
        servers.append(subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "uvicorn", "huxiao.asgi:application", "--host", HOST, "--port", str(port),
             "--lifespan", "off", "--log-level", "warning"], env=env, stdout=log, stderr=log))
    try:
        for port, server in zip(ports, servers, strict=True):
            _wait_port(port, server, f"uvicorn on {port}")
        report = asyncio.run(_scenario(ports, police_key, guard_key, unit.pk, state))
    finally:
        for server in servers:
            _stop(server)
        _stop(state["redis"])
    raised, statuses, received, reconnected = report
    assert all(s == 201 for s in statuses), statuses  # never a 5xx, Redis or not
    stored = set(Alarm.objects.filter(unit=unit).values_list("pk", flat=True))
    assert set(raised) <= stored and len(raised) == len(statuses)
    for name, ids in received.items():
        missing = set(raised) - ids
        assert not missing, f"{name} lacks {sorted(missing)}"
    assert set(raised) <= reconnected
    # Redis really was down for part of the storm: the servers said so, and answered 201 all the same.
    logs = "".join(p.read_text(errors="replace") for p in tmp_path.glob("server-*.log"))
    assert "publish to Redis failed" in logs


async def _scenario(ports: list[int], police_key: str, guard_key: str, unit: int,
                    state: dict) -> tuple[list[int], list[int], dict[str, set[int]], set[int]]:
    consoles = {f"console-{i}-on-{ports[i % 2]}": Console(HOST, ports[i % 2], police_key) for i in range(4)}
    received: dict[str, set[int]] = {name: set() for name in consoles}

    async def listen(name: str, console: Console) -> None:
        await console.connect()
        try:
            async for event, data, _id, _at in console.events():
                if event == "alarm":
                    received[name].add(data["id"])
        except (StreamClosed, ConnectionError, asyncio.IncompleteReadError):
            return

    tasks = {name: asyncio.create_task(listen(name, c)) for name, c in consoles.items()}
    await asyncio.sleep(1.0)  # connected and subscribed

    async def everyone_has(ids: set[int], names: list[str], seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if all(ids <= received[n] for n in names):
                return
            await asyncio.sleep(0.05)

    # 1. An alarm raised through the second worker reaches the consoles on the first, at once.
    status, body = await post_json(HOST, ports[1], guard_key, "/api/v1/alarms/", {"unit": unit, "note": "one"})
    assert status == 201, body
    started = time.monotonic()
    await everyone_has({body["id"]}, list(consoles), 5)
    assert all(body["id"] in ids for ids in received.values()), received
    assert time.monotonic() - started < 1.5  # through Redis, not the 2 s catch-up
    raised, statuses = [body["id"]], [status]

    # 2. A storm: 40 alarms through both workers; Redis stopped after 10 and started again after 25.
    #    One console drops out mid-storm and comes back with Last-Event-ID.
    leaving = next(iter(consoles))
    for i in range(40):
        if i == 10:
            _stop(state["redis"])
        if i == 18:
            consoles[leaving].close()
            tasks[leaving].cancel()
        if i == 25:
            state["redis"] = await asyncio.to_thread(_redis, state["port"])
        status, body = await post_json(HOST, ports[i % 2], guard_key, "/api/v1/alarms/", {"unit": unit,
                                                                                           "note": f"storm {i}"})
        statuses.append(status)
        if status == 201:
            raised.append(body["id"])
        await asyncio.sleep(0.05)
    staying = [n for n in consoles if n != leaving]
    await everyone_has(set(raised), staying, 15)

    # The console that left reconnects with the last id it saw, and gets the rest.
    back = Console(HOST, ports[0], police_key, last_id=consoles[leaving].last_id)
    reconnected: set[int] = set(received[leaving])
    await back.connect()

    async def catch_up() -> None:
        async for event, data, _id, _at in back.events():
            if event == "alarm":
                reconnected.add(data["id"])
            if set(raised) <= reconnected:
                return

    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(catch_up(), 15)
    back.close()
    for task in tasks.values():
        task.cancel()
    for name in staying:
        consoles[name].close()
    return raised, statuses, {n: received[n] for n in staying}, reconnected

