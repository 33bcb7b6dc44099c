"""The floor for bench/gate.py: a minimal ASGI app doing the pick-up's SQL with psycopg and nothing else —
no framework, no scoping, no validation beyond parsing, no audit row. What a release costs at the least on
this machine; Huxiao's figures are read as a ratio of it.

    uvicorn bench.floor_app:app --workers 2 --port 8056   (DATABASE_URL in the environment)
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime
from typing import Any

from psycopg_pool import AsyncConnectionPool

POOL: AsyncConnectionPool | None = None


def _conninfo() -> str:
    import dj_database_url

    cfg = dj_database_url.parse(os.environ["DATABASE_URL"])
    return (f"host={cfg['HOST'] or '127.0.0.1'} port={cfg['PORT'] or 5432} user={cfg['USER']} "
            f"dbname={cfg['NAME']}" + (f" password={cfg['PASSWORD']}" if cfg.get("PASSWORD") else ""))


async def _reply(send: Any, status: int, body: dict[str, Any]) -> None:
    data = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]})
    await send({"type": "http.response.body", "body": data})


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    global POOL
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                POOL = AsyncConnectionPool(_conninfo(), min_size=4, max_size=10, open=False)
                await POOL.open()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if POOL is not None:
                    await POOL.close()
                await send({"type": "lifespan.shutdown.complete"})
                return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    headers = dict(scope["headers"])
    token = headers.get(b"authorization", b"").decode().removeprefix("Token ").strip()
    data = json.loads(body)
    assert POOL is not None
    async with POOL.connection() as conn:
        user = await (await conn.execute(
            "SELECT user_id FROM core_apitoken WHERE digest = %s AND expires_at > now()",
            [hashlib.sha256(token.encode()).hexdigest()])).fetchone()
        if user is None:
            await _reply(send, 401, {"code": "not_authenticated"})
            return
        child = await (await conn.execute("SELECT id, unit_id FROM gate_child WHERE id = %s",
                                          [data["child"]])).fetchone()
        person = await (await conn.execute(
            "SELECT id, name, relation FROM gate_pickupperson WHERE id = %s AND child_id = %s AND revoked_at IS NULL",
            [data["person"], data["child"]])).fetchone()
        if child is None or person is None:
            await _reply(send, 403, {"code": "not_authorised"})
            return
        now = datetime.now(UTC)
        taken_by = f"{person[1]}（{person[2]}）"
        row = await (await conn.execute(
            "INSERT INTO gate_release (child_id, unit_id, day, slot, person_id, taken_by, method, guard_id, "
            "released_at) VALUES (%s, %s, %s, 0, %s, %s, 'person', %s, %s) "
            "ON CONFLICT (child_id, day, slot) DO NOTHING RETURNING id",
            [child[0], child[1], now.date(), person[0], taken_by, user[0], now])).fetchone()
        if row is None:
            first = await (await conn.execute("SELECT taken_by, released_at FROM gate_release WHERE child_id = %s "
                                              "AND day = %s AND slot = 0", [child[0], now.date()])).fetchone()
            await _reply(send, 409, {"code": "already_released", "released_by": first[0] if first else ""})
            return
    await _reply(send, 201, {"decision": "released", "id": row[0]})
