"""The floor for bench/gate.py: a minimal ASGI app doing a release's SQL with psycopg and nothing else — no
framework, no scoping logic, no validation beyond parsing. What a release costs at the least on this
machine; Huxiao's figures are read as a ratio of it.

``FLOOR_SQL=same`` (the default) runs the statements Huxiao runs for a release, as issue #4 defines the
floor ("a minimal ASGI app doing the same SQL"): the token with its user and organisation, the pick-up
person with the child in the guard's unit, then in one transaction the release and its audit entry.

``FLOOR_SQL=lean`` runs less than Huxiao does — the token, the child and the person, and the release alone,
in autocommit, no audit entry — as the first floor of this benchmark did; kept to show how much of the
gap the audit entry and the transaction are.

    uvicorn bench.floor_app:app --workers 2 --port 8056   (DATABASE_URL in the environment)
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime
from typing import Any

from psycopg.errors import UniqueViolation
from psycopg_pool import AsyncConnectionPool

POOL: AsyncConnectionPool | None = None
SAME = os.environ.get("FLOOR_SQL", "same") != "lean"
RELEASE_TYPE: int | None = None  # the content type id of gate.release, read at start-up

AUTH_SQL = (
    "SELECT t.*, u.*, o.* FROM core_apitoken t JOIN core_user u ON t.user_id = u.id "
    "JOIN core_organisation o ON u.organisation_id = o.id "
    "WHERE t.expires_at > %s AND t.revoked_at IS NULL AND t.digest = %s LIMIT 1")
PERSON_SQL = (
    "SELECT p.id, p.child_id, p.unit_id, p.name, p.relation, p.revoked_at, c.id, c.unit_id, c.school_class_id, "
    "c.name FROM gate_pickupperson p JOIN gate_child c ON p.child_id = c.id WHERE p.unit_id = %s AND p.id = %s "
    "LIMIT 1")
RELEASE_SQL = (
    "INSERT INTO gate_release (child_id, unit_id, day, slot, person_id, delegation_id, taken_by, method, "
    "guard_id, released_at, early) VALUES (%s, %s, %s, 0, %s, NULL, %s, 'person', %s, %s, FALSE) RETURNING id")
AUDIT_SQL = (
    "INSERT INTO auditlog_logentry (content_type_id, object_pk, object_id, object_repr, serialized_data, action, "
    "changes_text, changes, actor_id, cid, remote_addr, remote_port, timestamp, additional_data, actor_email) "
    "VALUES (%s, %s, %s, %s, NULL, 0, '', %s, %s, NULL, %s, NULL, %s, %s, %s) RETURNING id")


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


async def _already_released(conn: Any, send: Any, child_id: int, day: Any) -> None:
    """The 409 of a second release: who took the child."""
    first = await (await conn.execute("SELECT taken_by, released_at FROM gate_release WHERE child_id = %s "
                                      "AND day = %s AND slot = 0", [child_id, day])).fetchone()
    await _reply(send, 409, {"code": "already_released", "released_by": first[0] if first else ""})


async def _lifespan(receive: Any, send: Any) -> None:
    global POOL, RELEASE_TYPE
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            POOL = AsyncConnectionPool(_conninfo(), min_size=4, max_size=10, open=False)
            await POOL.open()
            async with POOL.connection() as conn:
                row = await (await conn.execute("SELECT id FROM django_content_type WHERE app_label = 'gate' "
                                                "AND model = 'release'")).fetchone()
                RELEASE_TYPE = row[0] if row else None
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            if POOL is not None:
                await POOL.close()
            await send({"type": "lifespan.shutdown.complete"})
            return


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        await _lifespan(receive, send)
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
    now = datetime.now(UTC)
    digest = hashlib.sha256(token.encode()).hexdigest()
    async with POOL.connection() as conn:
        if SAME:
            await _same(conn, send, data, digest, now, scope)
        else:
            await _lean(conn, send, data, digest, now)


async def _same(conn: Any, send: Any, data: dict[str, Any], digest: str, now: datetime, scope: dict[str, Any]) -> None:
    cursor = await conn.execute(AUTH_SQL, [now, digest])
    user = await cursor.fetchone()
    if user is None:
        await _reply(send, 401, {"code": "not_authenticated"})
        return
    columns = [c.name for c in cursor.description]
    guard_id, unit_id, email = user[columns.index("user_id")], user[columns.index("organisation_id")], \
        user[columns.index("email")]
    person = await (await conn.execute(PERSON_SQL, [unit_id, data["person"]])).fetchone()
    if person is None or person[1] != data["child"] or person[5] is not None:
        await _reply(send, 403, {"code": "not_authorised"})
        return
    taken_by = f"{person[3]}（{person[4]}）"
    day = now.date()
    try:
        async with conn.transaction():
            release_id = (await (await conn.execute(RELEASE_SQL, [person[6], person[7], day, person[0], taken_by,
                                                                  guard_id, now])).fetchone())[0]
            changes = {"id": ["None", str(release_id)], "child": ["None", str(person[6])],
                       "unit": ["None", str(person[7])], "day": ["None", day.isoformat()], "slot": ["None", "0"],
                       "person": ["None", str(person[0])], "delegation": ["None", "None"],
                       "taken_by": ["None", taken_by], "method": ["None", "person"], "guard": ["None", str(guard_id)],
                       "released_at": ["None", now.replace(tzinfo=None).isoformat(sep=" ")]}
            await conn.execute(AUDIT_SQL, [RELEASE_TYPE, str(release_id), release_id,
                                           f"{person[6]} {day.isoformat()} {taken_by}", json.dumps(changes),
                                           guard_id, scope["client"][0] if scope.get("client") else None, now,
                                           json.dumps({"subdistrict": None}), email])
    except UniqueViolation:  # the child was taken already
        await _already_released(conn, send, person[6], day)
        return
    await _reply(send, 201, {"decision": "released", "id": release_id})


async def _lean(conn: Any, send: Any, data: dict[str, Any], digest: str, now: datetime) -> None:
    user = await (await conn.execute("SELECT user_id FROM core_apitoken WHERE digest = %s AND expires_at > now()",
                                     [digest])).fetchone()
    if user is None:
        await _reply(send, 401, {"code": "not_authenticated"})
        return
    child = await (await conn.execute("SELECT id, unit_id FROM gate_child WHERE id = %s", [data["child"]])).fetchone()
    person = await (await conn.execute(
        "SELECT id, name, relation FROM gate_pickupperson WHERE id = %s AND child_id = %s AND revoked_at IS NULL",
        [data["person"], data["child"]])).fetchone()
    if child is None or person is None:
        await _reply(send, 403, {"code": "not_authorised"})
        return
    taken_by = f"{person[1]}（{person[2]}）"
    row = await (await conn.execute(
        "INSERT INTO gate_release (child_id, unit_id, day, slot, person_id, taken_by, method, guard_id, "
        "released_at, early) VALUES (%s, %s, %s, 0, %s, %s, 'person', %s, %s, FALSE) "
        "ON CONFLICT (child_id, day, slot) DO NOTHING RETURNING id",
        [child[0], child[1], now.date(), person[0], taken_by, user[0], now])).fetchone()
    if row is None:
        await _already_released(conn, send, child[0], now.date())
        return
    await _reply(send, 201, {"decision": "released", "id": row[0]})
