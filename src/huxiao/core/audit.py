"""F-AUDIT: every change of every Huxiao model is logged (django-auditlog), personal data masked.

Encrypted columns and their lookup hashes are registered as masked fields with ``redact`` as the mask:
the diff says *that* an ID number changed, never what it was or became.

The entries are auditlog's own (its receivers, its ``LogEntry.objects.log_create``); Huxiao adds who and
from where (``AuditContextMiddleware``), each object's sub-district (``AuditedMixin``) and, for a
conditional UPDATE that sends no signal, ``update_where``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from auditlog.cid import set_cid
from auditlog.context import auditlog_disabled, auditlog_value
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from auditlog.signals import accessed
from django.apps import apps
from django.conf import settings
from django.db import models, router, transaction
from django.db.models import Q
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from huxiao.core.fields import encrypted_field_names

REDACTED = "[redacted]"


def redact(value: str) -> str:
    return "" if value in {"", "None"} else REDACTED


def register_all() -> None:
    """Register every concrete model of every ``huxiao.*`` app, masking its personal data; auditlog's own
    receivers write the entries."""
    for model in apps.get_models():
        if not model.__module__.startswith("huxiao.") or model._meta.abstract or model._meta.proxy:
            continue
        if getattr(model, "audit_exclude", False) or auditlog.contains(model):
            continue
        masked = [*encrypted_field_names(model), *getattr(model, "audit_mask_fields", ())]
        exclude = list(getattr(model, "audit_exclude_fields", ()))
        if model._meta.label == "core.User":
            exclude += ["password", "last_login"]
        auditlog.register(model, mask_fields=masked, exclude_fields=exclude, mask_callable=f"{__name__}.redact")
    register_second_factor()


# F-AUTH (issue #14): django-otp's devices. Enrolment creates a TOTP device, confirmation confirms it and creates
# the recovery codes' device, and every code tried changes a device (a failure its throttling count, a success
# its last use), so each leaves an entry. The TOTP secret (``key``) is masked. The recovery codes themselves
# (``StaticToken``, stored as digests) are not registered at all: their issue and use show on their device.
SECOND_FACTOR_MODELS = {"otp_totp.TOTPDevice": ["key"], "otp_static.StaticDevice": []}


def register_second_factor() -> None:
    for label, masked in SECOND_FACTOR_MODELS.items():
        model = apps.get_model(label)
        if not auditlog.contains(model):
            auditlog.register(model, mask_fields=masked, mask_callable=f"{__name__}.redact")


_UNIT_SUBDISTRICT: dict[int, int | None] = {}


def subdistrict_of(instance: object) -> int | None:
    """Which sub-district an object belongs to, so the audit viewer can be scoped."""
    for attr in ("subdistrict_id",):
        value = getattr(instance, attr, None)
        if value:
            return int(value)
    from huxiao.core.models import Organisation, Unit

    unit_id = getattr(instance, "unit_id", None)
    if unit_id:
        # A unit never changes sub-district (the services do not allow it): remember the answer.
        if unit_id not in _UNIT_SUBDISTRICT:
            _UNIT_SUBDISTRICT[unit_id] = Unit.objects.filter(pk=unit_id).values_list(
                "subdistrict_id", flat=True).first()
        return _UNIT_SUBDISTRICT[unit_id]
    org_id = getattr(instance, "organisation_id", None)
    if org_id:
        return Organisation.objects.filter(pk=org_id).values_list("subdistrict_id", flat=True).first()
    return None


def client_address(request: HttpRequest) -> str | None:
    """The client's address. ``X-Forwarded-For`` is believed only as far as ``HUXIAO_PROXY_COUNT``
    proxies of ours put it there (the address the last of them saw); without a proxy a client could
    write anything in it, so it is ignored (uvicorn already puts a trusted local proxy's client in
    ``REMOTE_ADDR``)."""
    proxies = settings.HUXIAO_PROXY_COUNT
    if proxies:
        hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    """Who made a change and from where, for every audit entry written while a request runs.

    Replaces django-auditlog's middleware, which connects and disconnects a signal receiver on every
    request (a global lock and a cleared receiver cache each time, and one more receiver per request in
    flight) and takes the address from ``X-Forwarded-For`` unchecked. Here the context lives in
    auditlog's own context variable, and one receiver, connected once, copies it onto each entry.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        set_cid(request)
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
        token = auditlog_value.set({"actor": actor, "remote_addr": client_address(request),
                                    "remote_port": None, "signal_duid": "huxiao"})
        try:
            return self.get_response(request)
        finally:
            auditlog_value.reset(token)


@receiver(pre_save, sender=LogEntry, dispatch_uid="huxiao-audit-context")
def _apply_audit_context(sender: type[LogEntry], instance: LogEntry, **kwargs: Any) -> None:
    try:
        context = auditlog_value.get()
    except LookupError:
        return
    if context.get("signal_duid") != "huxiao":  # auditlog's own ``set_actor`` block: its receiver does it
        return
    actor = context.get("actor")
    if instance.actor_id is None and actor is not None and getattr(actor, "pk", None) is not None:
        instance.actor = actor
        instance.actor_email = getattr(actor, "email", None)
    if instance.remote_addr is None:
        instance.remote_addr = context.get("remote_addr")


@receiver(pre_save, sender=LogEntry, dispatch_uid="huxiao-audit-second-factor-scope")
def _scope_second_factor_entry(sender: type[LogEntry], instance: LogEntry, **kwargs: Any) -> None:
    """A device's entry carries its user's sub-district, as ``AuditedMixin`` does for Huxiao's own models
    (django-otp's models cannot take the mixin), so the sub-district's audit viewer shows it."""
    if instance.pk is not None or instance.additional_data is not None or instance.content_type_id is None:
        return
    model = instance.content_type.model_class()
    if model is None or model._meta.label not in SECOND_FACTOR_MODELS:
        return
    from huxiao.core.models import User

    user_id = model._base_manager.filter(pk=instance.object_pk).values_list("user_id", flat=True).first()
    if user_id is None:  # a deletion: the row is gone, its diff names the user
        user_id = next((v for v in (instance.changes_dict or {}).get("user", []) if v not in {None, "None"}), None)
    if user_id is not None:
        subdistrict = User.objects.filter(pk=user_id).values_list("organisation__subdistrict_id", flat=True).first()
        instance.additional_data = {"subdistrict": subdistrict}


class AuditedMixin:
    """Stores the object's sub-district with each log entry (``additional_data``)."""

    def get_additional_data(self) -> dict[str, Any]:
        return {"subdistrict": subdistrict_of(self)}


def update_where(instance: models.Model, *, where: Q | None = None, **changes: Any) -> bool:
    """A state change as a conditional UPDATE whose row count is checked, with its audit entry.

    ``UPDATE … SET changes WHERE pk = instance.pk AND where``: True when it changed the row (then
    ``instance`` holds the new values and an audit entry records the diff, its actor and address from the
    request's context, in the same transaction), False when the condition no longer held (someone was first:
    nothing is written, nothing logged). The one way Huxiao writes a conditional state change (issue #11):
    ``QuerySet.update`` sends no signal, so auditlog alone would never hear of it.
    """
    model = instance._meta.model  # not type(): request.user is a lazy object
    condition = Q(pk=instance.pk) & (where or Q())
    with transaction.atomic(using=router.db_for_write(model)):
        if model._default_manager.filter(condition).update(**changes) != 1:
            return False
        old = copy.copy(instance)
        for name, value in changes.items():
            setattr(instance, name, value)
        names = [model._meta.get_field(name).name for name in changes]
        diff = model_instance_diff(old, instance, fields_to_check=names,
                                   use_json_for_changes=getattr(settings, "AUDITLOG_STORE_JSON_CHANGES", False))
        if diff and auditlog.contains(model) and not auditlog_disabled.get():
            LogEntry.objects.log_create(instance, action=LogEntry.Action.UPDATE, changes=diff)
    return True


def audit_read(instance: models.Model) -> None:
    """Record that someone read a sensitive record (F-AUDIT, F-PRIV reveal)."""
    accessed.send(sender=type(instance), instance=instance)


def purge_expired() -> int:
    """Delete audit entries older than the retention period (never under 180 days)."""
    cutoff = timezone.now() - timedelta(days=settings.AUDIT_RETENTION_DAYS)
    deleted: int = LogEntry.objects.filter(timestamp__lt=cutoff).delete()[0]
    return deleted
