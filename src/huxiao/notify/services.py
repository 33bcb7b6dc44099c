"""Raise notifications (F-NOTIFY). Called by other apps' services inside their transaction: the
notification commits with the event it reports, or not at all."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from huxiao.core.bus import bus
from huxiao.core.models import User
from huxiao.notify.models import Level, Notification


def recipients(unit: Any, *, admins: bool = True, police: bool = True,
               subdistrict_roles: Iterable[str] = ()) -> list[User]:
    """Who hears of an event at ``unit``, in one query: its admins, its police station's officers, and
    the sub-district's accounts in ``subdistrict_roles`` (active accounts only)."""
    from functools import reduce
    from operator import or_

    from django.db.models import Q

    from huxiao.core.models import Role

    parts = []
    if admins:
        parts.append(Q(organisation_id=unit.pk, role=Role.UNIT_ADMIN))
    if police and unit.police_station_id:
        parts.append(Q(organisation_id=unit.police_station_id, role=Role.POLICE))
    roles = list(subdistrict_roles)
    if roles:
        parts.append(Q(organisation_id=unit.subdistrict_id, role__in=roles))
    if not parts:
        return []
    return list(User.objects.filter(reduce(or_, parts), is_active=True).order_by("pk"))


def notify(*, users: Iterable[User], kind: str, title: Callable[[], str], body: Callable[[], str] | None = None,
           url: str = "", unit: Any = None, level: str = Level.INFO, ref: str = "") -> list[Notification]:
    """One notification per user, its text rendered in that user's language (``title`` and ``body`` are
    called under the user's language)."""
    texts = {}
    for language, _name in settings.LANGUAGES:  # once per language, not per recipient
        with translation.override(language):
            texts[language] = {"title": str(title())[:200], "body": str(body()) if body else ""}
    rows = []
    for user in {u.pk: u for u in users}.values():
        own = texts.get(user.preferred_language or settings.LANGUAGE_CODE) or texts[settings.LANGUAGE_CODE]
        rows.append(Notification(user=user, unit=unit, kind=kind, level=level, title=own["title"], body=own["body"],
                                 url=url, ref=ref, texts=texts))
    created = Notification.objects.bulk_create(rows)
    for row in created:  # pushed to the user's open streams once stored (core.bus)
        bus.publish_on_commit({"type": "notification", "id": row.pk, "user": row.user_id, "kind": row.kind,
                               "level": row.level, "title": row.title, "body": row.body, "url": row.url})
    if level == Level.ALERT and created:
        ids = [row.pk for row in created]
        transaction.on_commit(lambda: _deliver(ids), robust=True)
    return created


def _deliver(ids: list[int]) -> None:
    from huxiao.notify.tasks import deliver_alerts

    deliver_alerts(ids)


def deliver_alerts(ids: list[int]) -> int:
    """Alerts also go out by e-mail and SMS, to those with an address or a phone. A failure is logged; the
    in-app notification stays (F-NOTIFY)."""
    import logging

    from django.core.mail import send_mail

    from huxiao.notify.sms import send_sms

    logger = logging.getLogger(__name__)
    sent = 0
    for row in Notification.objects.filter(pk__in=ids).select_related("user"):
        text = f"{row.title}\n{row.body}".strip()
        if row.user.email:
            try:
                send_mail(f"[护校 Huxiao] {row.title}", text, None, [row.user.email])
                sent += 1
            except Exception:
                logger.warning("alert e-mail to user %s failed", row.user_id, exc_info=True)
        if row.user.phone:
            try:
                send_sms(row.user.phone, text)
                sent += 1
            except Exception:
                logger.warning("alert SMS to user %s failed", row.user_id, exc_info=True)
    return sent


def notifications_resolve(*, ref: str) -> int:
    """What ``ref`` points to is over (an alarm closed): its unread notifications are read for everyone, so
    no alert strip keeps showing it. In the caller's transaction."""
    return int(Notification.objects.filter(ref=ref, read_at__isnull=True).update(read_at=timezone.now()))


def mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return int(qs.update(read_at=timezone.now()))
