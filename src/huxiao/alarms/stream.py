"""``GET /api/v1/alarms/stream/`` (F-TECH-3, API.md): server-sent events from an async view.

Each alarm the user may see is an ``event: alarm`` with ``id:`` (the alarm's id, increasing) and JSON
``data``; each later step (acknowledged, dispatched, …, escalated) is an ``event: alarm_step`` without an
id; each of the user's own notifications (F-NOTIFY) is an ``event: notification``. A client that
reconnects with ``Last-Event-ID`` (or ``?last_event_id=``) first receives every alarm after that id.
Live events come from the bus (``core.bus``: in-process, or Redis pub/sub); the stream also catches up
from the database every few seconds and whenever the bus regains Redis, so an alarm whose publication
was lost (Redis down) still arrives. A comment line every 15 s keeps proxies from closing it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from huxiao.alarms.models import Alarm
from huxiao.alarms.services import event_of
from huxiao.core.bus import RESYNC, bus
from huxiao.core.errors import error_body
from huxiao.core.models import ApiToken, User
from huxiao.core.scoping import unit_matcher

ROUTING = ("subdistrict", "police_station", "community", "user")
REPLAY_LIMIT = 1000


def _authenticate(request: HttpRequest) -> User | None:
    header = request.headers.get("Authorization", "")
    if header.startswith("Token "):
        token = ApiToken.find(header.removeprefix("Token ").strip())
        return token.user if token is not None and token.user.is_active else None
    user = request.user
    if not user.is_authenticated or not user.is_active:
        return None
    user.organisation  # noqa: B018  (loaded here, in a thread, not in the event loop)
    return user


def _last_event_id(request: HttpRequest) -> int | None:
    raw = request.headers.get("Last-Event-ID") or request.GET.get("last_event_id")
    try:
        value = int(raw) if raw is not None else None
    except ValueError:
        return None
    return value if value is not None and 0 <= value < 2**63 else None


def _since(user: User, floor: int, skip: set[int]) -> list[dict[str, Any]]:
    """Alarms the user may see with an id above ``floor`` that were not sent yet, oldest first."""
    recent = timezone.now() - timedelta(days=2)
    alarms = (Alarm.objects.visible_to(user).filter(pk__gt=floor, raised_at__gte=recent).exclude(pk__in=skip)
              .select_related("unit").order_by("pk")[:REPLAY_LIMIT])
    return [event_of(a, a.unit) for a in alarms]


def _newest_id() -> int:
    return Alarm.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _still_allowed(user: User) -> bool:
    """A stream outlives its request: a deactivated account stops hearing alarms at the next catch-up."""
    return User.objects.filter(pk=user.pk, is_active=True).exists()


# Two alarms can commit out of id order only while both transactions are open (milliseconds). An alarm
# raised longer ago than this has committed, so the floor may pass it and forget it was sent.
SETTLED_SECONDS = 60


def _settle(floor: int, sent: dict[int, str]) -> int:
    """Raise the floor past alarms raised more than SETTLED_SECONDS ago, and forget them: a console open
    all day keeps a small set, and its catch-up query stays small."""
    cutoff = timezone.now() - timedelta(seconds=SETTLED_SECONDS)
    settled = [i for i, raised in sent.items() if datetime.fromisoformat(raised) < cutoff]
    if settled:
        floor = max(floor, max(settled))
        for i in [i for i in sent if i <= floor]:
            del sent[i]
    return floor


def _frame(event: dict[str, Any]) -> str:
    """The event as an SSE frame. A live event is one dict shared by every stream of the process (one event
    loop), so its frame is made once and kept in the dict for the others."""
    frame: str | None = event.get("_frame")
    if frame is None:
        body = {k: v for k, v in event.items() if k not in ROUTING and k not in {"type", "_frame"}}
        data = json.dumps(body, ensure_ascii=False)
        frame = (f"id: {event['id']}\nevent: alarm\ndata: {data}\n\n" if event["type"] == "alarm"
                 else f"event: {event['type']}\ndata: {data}\n\n")
        event["_frame"] = frame
    return frame


async def _events(user: User, last_id: int | None) -> AsyncIterator[str]:
    match = unit_matcher(user)
    keepalive = settings.HUXIAO_SSE_KEEPALIVE_SECONDS
    catch_up_every = settings.HUXIAO_SSE_CATCH_UP_SECONDS
    async with bus.subscribe() as queue:  # subscribed before the replay: nothing falls between the two
        sent: dict[int, str] = {}  # alarm id → raised_at, for alarms above the floor already sent
        floor = last_id if last_id is not None else await sync_to_async(_newest_id)()
        yield "retry: 2000\n\n"
        for event in await sync_to_async(_since)(user, floor, set(sent)):
            sent[event["id"]] = event["raised_at"]
            yield _frame(event)
        loop = asyncio.get_running_loop()
        last_write = next_catch_up = loop.time()
        next_catch_up += catch_up_every
        while True:
            timeout = max(0.0, min(last_write + keepalive, next_catch_up) - loop.time())
            batch: list[dict[str, Any]] = []
            try:
                async with asyncio.timeout(timeout):
                    batch.append(await queue.get())
            except TimeoutError:
                pass
            while not queue.empty():  # a burst: everything waiting goes out in one write
                batch.append(queue.get_nowait())
            frames: list[str] = []
            if any(event is RESYNC for event in batch) or loop.time() >= next_catch_up:
                if not await sync_to_async(_still_allowed)(user):
                    return
                for event in await sync_to_async(_since)(user, floor, set(sent)):
                    sent[event["id"]] = event["raised_at"]
                    frames.append(_frame(event))
                floor = _settle(floor, sent)
                next_catch_up = loop.time() + catch_up_every
            for event in batch:
                if event is RESYNC:
                    continue
                if event.get("type") == "notification":
                    if event.get("user") != user.pk:  # a notification is its recipient's alone
                        continue
                elif not match(event):
                    continue
                if event["type"] == "alarm":
                    if event["id"] in sent:
                        continue
                    sent[event["id"]] = event["raised_at"]
                frames.append(_frame(event))
            if not frames and loop.time() - last_write >= keepalive:
                frames.append(": keep-alive\n\n")
            if frames:
                last_write = loop.time()
                yield "".join(frames)


async def alarm_stream(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    if request.method != "GET":
        return JsonResponse(error_body("method_not_allowed", _("Use GET.")), status=405)
    user = await sync_to_async(_authenticate)(request)
    if user is None:
        response: HttpResponse = JsonResponse(
            error_body("not_authenticated", _("Authentication credentials were not provided.")), status=401)
        response["WWW-Authenticate"] = "Token"
        return response
    stream = StreamingHttpResponse(_events(user, _last_event_id(request)), content_type="text/event-stream")
    stream["Cache-Control"] = "no-cache"
    stream["X-Accel-Buffering"] = "no"  # a buffering proxy would hold the alarms back
    return stream
