"""Driving Huxiao's ASGI handler in-process, as uvicorn does (tests of the handler and of the live stream)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.db import connections


def http_scope(method: str, path: str, headers: list[tuple[bytes, bytes]], *,
               client: str = "10.0.0.7") -> dict[str, Any]:
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
            "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
            "headers": [(b"host", b"testserver"), *headers], "client": (client, 50000),
            "server": ("testserver", 80)}


def one_request(body: bytes = b"", *, disconnect: asyncio.Event | None = None
                ) -> Callable[[], Awaitable[dict[str, Any]]]:
    """``receive`` for one request: its body, then a disconnect once ``disconnect`` is set (never, without)."""
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        if disconnect is None:
            await asyncio.sleep(3600)
        else:
            await disconnect.wait()
        return {"type": "http.disconnect"}

    return receive


def shut_pool(executor: ThreadPoolExecutor, threads: int) -> None:
    """Each pool thread holds its own database connection: close them all (one task per thread, held at a
    barrier so that no thread takes two), then this thread's."""
    barrier = threading.Barrier(threads)

    def close_mine() -> None:
        barrier.wait(timeout=10)
        connections.close_all()

    for future in [executor.submit(close_mine) for _ in range(threads)]:
        future.result(timeout=20)
    executor.shutdown()
    connections.close_all()
