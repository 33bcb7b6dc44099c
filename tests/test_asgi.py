"""The ASGI handler uvicorn serves (``core.asgi_handler``): the sync part of each request in one hop on a
reused thread pool. Driven here as uvicorn drives it, with real threads and their own connections."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from huxiao.core.asgi_handler import HuxiaoASGIHandler
from huxiao.core.models import ApiToken
from tests.asgi import http_scope, one_request, shut_pool


async def call(app: HuxiaoASGIHandler, method: str, path: str, *, token: str | None = None,
               body: dict[str, Any] | None = None, client: str = "10.0.0.7") -> tuple[int, dict[bytes, bytes], bytes]:
    raw = json.dumps(body).encode() if body is not None else b""
    headers = [(b"content-type", b"application/json"),
               (b"content-length", str(len(raw)).encode())]
    if token:
        headers.append((b"authorization", f"Token {token}".encode()))
    messages: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    await asyncio.wait_for(app(http_scope(method, path, headers, client=client), one_request(raw), send), timeout=30)
    start = messages[0]
    body_bytes = b"".join(m.get("body", b"") for m in messages[1:])
    return start["status"], dict(start["headers"]), body_bytes


@pytest.mark.django_db(transaction=True)
def test_requests_run_side_by_side_and_answer_as_under_wsgi() -> None:
    from tests.factories import build_cast, load_cast

    cast = load_cast() or build_cast()
    _, key = ApiToken.issue(cast.users["unit_admin"])
    threads = 4
    executor = ThreadPoolExecutor(max_workers=threads)
    app = HuxiaoASGIHandler(executor)

    async def scenario() -> list[tuple[int, dict[bytes, bytes], bytes]]:
        many = [call(app, "GET", "/api/v1/units/", token=key) for _ in range(24)]
        return await asyncio.gather(
            *many,
            call(app, "GET", "/api/v1/units/", token="not-a-token"),
            call(app, "GET", "/api/v1/no-such-thing/", token=key),
            call(app, "GET", "/login/"),
        )

    try:
        answers = asyncio.run(scenario())
        for status, headers, body in answers[:24]:
            assert status == 200, body[:300]
            assert headers[b"Content-Type"] == b"application/json"
            assert [u["code"] for u in json.loads(body)["results"]] == [cast.unit_a.code]
        bad_token, missing, login = answers[24:]
        assert bad_token[0] == 401 and json.loads(bad_token[2])["code"] == "invalid_token"
        assert missing[0] == 404 and json.loads(missing[2])["code"] == "not_found"
        assert login[0] == 200 and b"<form" in login[2]
    finally:
        shut_pool(executor, threads)


def test_the_served_app_leaves_what_it_loaded_out_of_the_collectors_way() -> None:
    """``huxiao.asgi`` freezes what start-up loaded (gc.freeze): under load, a worker's full collections
    otherwise scanned the whole framework for 80–105 ms at a time (issue #4)."""
    import gc

    import huxiao.asgi  # noqa: F401

    assert gc.get_freeze_count() > 10_000
