"""Raise notifications (F-NOTIFY). Called by other apps' services inside their transaction: the
notification commits with the event it reports, or not at all."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.utils import timezone, translation

from huxiao.core.models import User
from huxiao.notify.models import Level, Notification


def notify(*, users: Iterable[User], kind: str, title: Callable[[], str], body: Callable[[], str] | None = None,
           url: str = "", unit: Any = None, level: str = Level.INFO) -> list[Notification]:
    """One notification per user, its text rendered in that user's language (``title`` and ``body`` are
    called under the user's language)."""
    rows = []
    for user in {u.pk: u for u in users}.values():
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            rows.append(Notification(user=user, unit=unit, kind=kind, level=level, title=str(title())[:200],
                                     body=str(body()) if body else "", url=url))
    return Notification.objects.bulk_create(rows)


def mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return int(qs.update(read_at=timezone.now()))
