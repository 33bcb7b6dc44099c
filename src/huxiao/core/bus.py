"""The live bus (F-TECH-3, F-NOTIFY): events are stored first, published after their transaction commits,
and fanned out to the live streams (``alarms.stream``) of this process, or, when ``REDIS_URL`` is set,
through Redis pub/sub, so that a console on one worker hears an alarm raised through another.

Publishing never fails the request that stored the event: if Redis is down, the event is still in the
database, and every stream catches up from there (every few seconds, and at once when its listener gets
Redis back); a reconnecting console replays from ``Last-Event-ID``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)
CHANNEL = "huxiao:live"
# A message the listener puts in every queue when it (re)gains Redis: catch up from the database now.
RESYNC: dict[str, Any] = {"type": "__resync__"}


class _Subscriber:
    __slots__ = ("loop", "queue")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()


class Bus:
    def __init__(self) -> None:
        self._subscribers: set[_Subscriber] = set()
        self._listener: asyncio.Task[None] | None = None
        self._redis: Any = None
        self._lock = threading.Lock()
        self.connected = not settings.REDIS_URL  # the Redis listener's state (always true in-process)

    # --- publishing (sync, from services) ---------------------------------------------------------------

    def publish_on_commit(self, event: dict[str, Any]) -> None:
        """Publish ``event`` once the current transaction commits (at once outside one)."""
        transaction.on_commit(lambda: self.publish(event), robust=True)

    def publish(self, event: dict[str, Any]) -> None:
        # When it was published (just after its commit): bench/alarms.py measures delivery from here.
        event = {**event, "published_at": round(time.time(), 6)}
        if not settings.REDIS_URL:
            self.fan_out(json.loads(json.dumps(event, default=str)))  # what Redis would carry: plain JSON
            return
        try:
            self._client().publish(CHANNEL, json.dumps(event, ensure_ascii=False, default=str))
        except Exception:  # the event is stored: streams catch up from the database
            logger.warning("live bus: publish to Redis failed; streams will catch up from the database",
                           exc_info=True)

    def _client(self) -> Any:
        if self._redis is None:
            import redis

            with self._lock:
                if self._redis is None:
                    self._redis = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=0.5,
                                                       socket_connect_timeout=0.5)
        return self._redis

    def fan_out(self, event: dict[str, Any]) -> None:
        """Hand ``event`` to every stream of this process. Parsed once here, shared by all of them: streams
        only add their SSE frame to it (``alarms.stream._frame``), made once for all."""
        try:
            here = asyncio.get_running_loop()  # the Redis listener: in the streams' own loop
        except RuntimeError:
            here = None  # a service's thread, after its commit (in-process bus)
        for subscriber in list(self._subscribers):
            if subscriber.loop is here:
                subscriber.queue.put_nowait(event)  # no wake-up write per stream: the loop is running
                continue
            try:
                subscriber.loop.call_soon_threadsafe(subscriber.queue.put_nowait, event)
            except RuntimeError:  # that stream's loop has closed
                self._subscribers.discard(subscriber)

    # --- subscribing (async, from the streams) -------------------------------------------------------------

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
        subscriber = _Subscriber(asyncio.get_running_loop())
        self._subscribers.add(subscriber)
        if settings.REDIS_URL and (self._listener is None or self._listener.done()):
            self._listener = asyncio.get_running_loop().create_task(self._listen())
        try:
            yield subscriber.queue
        finally:
            self._subscribers.discard(subscriber)

    async def _listen(self) -> None:
        """One Redis subscription per process, fanned out to every stream in it; reconnects forever."""
        import redis.asyncio as aioredis

        while True:
            client = aioredis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1)
            try:
                async with client.pubsub() as pubsub:
                    await pubsub.subscribe(CHANNEL)
                    self.connected = True
                    self.fan_out(RESYNC)
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            try:
                                event = json.loads(message["data"])
                            except ValueError:
                                logger.warning("live bus: dropped a message that is not JSON")
                                continue
                            self.fan_out(event)
            except asyncio.CancelledError:
                raise
            except Exception:
                if self.connected:
                    logger.warning("live bus: lost Redis; streams catch up from the database until it is back")
                self.connected = False
                await asyncio.sleep(1)
            finally:
                await client.aclose()


bus = Bus()
