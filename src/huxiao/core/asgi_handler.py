"""Huxiao's ASGI handler: Django's, with the sync part of a request run in one hop on a reused thread.

Django's own handler, given sync middleware (whitenoise, auditlog and ours are sync only), crosses between
the event loop and a thread at every place the middleware chain changes mode (three times each way for
ours), and it starts a new thread for every request (``ThreadSensitiveContext``) and joins it afterwards.
At the gate's rate that machinery cost more CPU than the release itself (measured with ``bench/gate.py``:
issue #4).

Here, as under a threaded WSGI server:

- the middleware chain is loaded in sync mode and run, with the view, in **one** call on a fixed pool of
  threads (``HUXIAO_SYNC_THREADS``, default 8 per worker process), so requests still run side by side and
  a slow export does not hold up the gate;
- ``request_started`` and (for a response that is not streamed) ``request_finished`` are sent on that
  thread, so its database connection is checked at the start and handed back (to the pool, or closed past
  ``CONN_MAX_AGE``) at the end by the thread that used it, as under WSGI;
- async views (the live streams) still work: the chain calls them through ``async_to_sync``, which runs
  them on the event loop, and they return their streaming response at once; the stream itself is sent
  from the event loop as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import SyncToAsync, sync_to_async
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.http import FileResponse, HttpRequest, HttpResponseBase
from django.urls import set_script_prefix

_EXECUTOR: ThreadPoolExecutor | None = None


def _executor() -> ThreadPoolExecutor:
    global _EXECUTOR
    if _EXECUTOR is None:
        threads = max(1, int(os.environ.get("HUXIAO_SYNC_THREADS", "8")))
        _EXECUTOR = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="huxiao-sync")
    return _EXECUTOR


class HuxiaoASGIHandler(ASGIHandler):
    def __init__(self, executor: ThreadPoolExecutor | None = None) -> None:
        super().__init__()
        self._respond_async = SyncToAsync(self._respond, thread_sensitive=False, executor=executor or _executor())

    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        # Django wraps this in ThreadSensitiveContext, which starts (and joins) a thread per request; the
        # sync work runs on our pool instead.
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        await self.handle(scope, receive, send)

    def _respond(self, request: HttpRequest) -> HttpResponseBase:
        """On a pool thread: the request's whole sync life, as a WSGI server runs it. A response that is
        not streamed is closed here too (``request_finished``: the connection goes back to the pool from
        the thread that used it); a stream is closed after it is sent."""
        signals.request_started.send(sender=self.__class__, scope=request.scope)  # type: ignore[attr-defined]
        response = self.get_response(request)
        response._handler_class = self.__class__  # type: ignore[attr-defined]
        if isinstance(response, FileResponse):
            response.block_size = self.chunk_size
        if not response.streaming:
            response.close()
        return response

    async def handle(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        set_script_prefix(get_script_prefix(scope))
        request, error_response = self.create_request(scope, body_file)
        try:
            if request is None:
                assert error_response is not None
                await self.send_response(error_response, send)
                await sync_to_async(error_response.close)()
                return
            response = await self._respond_async(request)
            if not response.streaming:
                await self.send_response(response, send)
                return
            await self._stream(response, receive, send)
        finally:
            body_file.close()

    async def _stream(self, response: HttpResponseBase, receive: Any, send: Any) -> None:
        """A streamed response (the live streams, file downloads), sent as Django sends it: stopped when
        the client goes away, then closed."""

        async def send_all() -> None:
            with contextlib.suppress(asyncio.CancelledError):
                await self.send_response(response, send)

        tasks = [asyncio.create_task(self.listen_for_disconnect(receive)), asyncio.create_task(send_all())]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in tasks:
            if task.done():
                with contextlib.suppress(RequestAborted):
                    task.result()
            else:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await sync_to_async(response.close)()
