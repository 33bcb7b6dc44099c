"""F-TECH-1 writes: a unit's devices and their tokens; F-TECH-2: a device heard from, or gone silent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from huxiao.compliance.engine import refresh_unit
from huxiao.core.audit import update_where
from huxiao.core.models import Unit, User
from huxiao.core.permissions import require
from huxiao.devices.models import Device, DeviceStatus
from huxiao.notify.models import Level
from huxiao.notify.services import notify, recipients

# Offline after one missed heartbeat, with this grace for a late one.
OFFLINE_GRACE = 1.5


def _new_token(device: Device) -> str:
    import hashlib
    import secrets

    token = "hxd_" + secrets.token_urlsafe(32)
    device.token_digest = hashlib.sha256(token.encode()).hexdigest()
    device.token_prefix = token[:8]
    return token


@transaction.atomic
def device_add(*, actor: User, unit: Unit, **fields: Any) -> tuple[Device, str]:
    """A device and its token (shown once: it goes into the device's configuration)."""
    require(actor, "devices.manage_device", unit)
    device = Device(unit=unit, **fields)
    token = _new_token(device)
    device.full_clean()
    device.save()
    refresh_unit(unit.pk)
    return device, token


@transaction.atomic
def device_update(*, actor: User, device: Device, **fields: Any) -> Device:
    require(actor, "devices.manage_device", device.unit)
    for name, value in fields.items():
        setattr(device, name, value)
    device.full_clean()
    device.save()
    refresh_unit(device.unit_id)
    return device


@transaction.atomic
def device_token_rotate(*, actor: User, device: Device) -> str:
    require(actor, "devices.manage_device", device.unit)
    token = _new_token(device)
    device.save(update_fields=["token_digest", "token_prefix"])
    return token


def device_by_token(token: str) -> Device | None:
    import hashlib

    if not token.startswith("hxd_") or len(token) > 100:
        return None
    return (Device.objects.select_related("unit").exclude(status=DeviceStatus.REMOVED)
            .filter(token_digest=hashlib.sha256(token.encode()).hexdigest()).first())


def device_heard(*, device: Device, at: datetime) -> None:
    """A device was heard from (any event it sent). Back from offline is a state change, audited, and its
    unit's verdict changes with it; a plain heartbeat is not a change anyone made (``audit_exclude_fields``)."""
    if device.offline_since is not None:
        update_where(device, last_seen_at=at, offline_since=None)
        refresh_unit(device.unit_id)
    else:
        Device.objects.filter(pk=device.pk).update(last_seen_at=at)


def _tell_offline(users: list[User], unit: Unit, device: str, since: str) -> None:
    unit_name = unit.name
    notify(users=users, kind="device.offline", level=Level.WARNING, unit=unit,
           url=reverse("unit-detail", args=[unit.pk]),
           title=lambda: _("Device offline at %(unit)s") % {"unit": unit_name},
           body=lambda: _("%(device)s has sent nothing since %(time)s.") % {"device": device, "time": since})


def devices_offline_check(*, now: datetime | None = None) -> int:
    """Mark devices silent for longer than their heartbeat interval (with grace) offline, and tell their
    unit admin and police station once. Runs every minute."""
    from datetime import timedelta


    now = now or timezone.now()
    # The least a device may be silent is 10 s × the grace; the rest is per device, checked here.
    candidates = (Device.objects.filter(status=DeviceStatus.WORKING, offline_since__isnull=True,
                                        last_seen_at__lt=now - timedelta(seconds=10 * OFFLINE_GRACE))
                  .select_related("unit"))
    silent = [d for d in candidates
              if d.last_seen_at is not None
              and (now - d.last_seen_at).total_seconds() > d.heartbeat_seconds * OFFLINE_GRACE]
    marked = 0
    for device in silent:
        with transaction.atomic():
            if not update_where(device, where=Q(offline_since__isnull=True), offline_since=now):
                continue
            marked += 1
            unit = device.unit
            refresh_unit(unit.pk)
            since = timezone.localtime(device.last_seen_at).strftime("%H:%M")
            _tell_offline(recipients(unit), unit, str(device), since)
    return marked
