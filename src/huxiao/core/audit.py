"""F-AUDIT: every change of every Huxiao model is logged (django-auditlog), personal data masked.

Encrypted columns and their lookup hashes are registered as masked fields with ``redact`` as the mask:
the diff says *that* an ID number changed, never what it was or became.

Creations are logged by ``log_create`` below instead of auditlog's receiver of the same name: the same
entry (auditlog's own diff, masks, representation, signals), written with one compiled INSERT instead of
a second full ``Model.save`` — on the gate's hot path auditlog's save was a fifth of a release's CPU
(issue #4, ``bench/gate.py``). Updates, deletions and reads stay auditlog's.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from auditlog.cid import get_cid, set_cid
from auditlog.context import auditlog_disabled, auditlog_value
from auditlog.diff import model_instance_diff
from auditlog.models import DEFAULT_OBJECT_REPR, LogEntry
from auditlog.registry import auditlog
from auditlog.signals import accessed, post_log, pre_log
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.db import connections, models, router, transaction
from django.db.models import Q
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.encoding import smart_str

from huxiao.core.fields import encrypted_field_names

REDACTED = "[redacted]"


def redact(value: str) -> str:
    return "" if value in {"", "None"} else REDACTED


def register_all() -> None:
    """Register every concrete model of every ``huxiao.*`` app, masking its personal data. Creations are
    logged by ``log_create`` (below), the rest by auditlog's receivers."""
    auditlog._signals[post_save] = log_create  # the registry connects its receivers from this map
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


def log_create(sender: type[models.Model], instance: models.Model, created: bool, raw: bool = False,
               using: str | None = None, **kwargs: Any) -> None:
    """auditlog's ``log_create``, with the entry written by ``_insert_entry``. The same entry: auditlog's
    diff (with its masks), representation, correlation id and additional data; ``pre_log``, ``pre_save``
    of the entry (where the actor and address are filled in) and ``post_log`` are sent as auditlog sends
    them."""
    if not created or auditlog_disabled.get() or (raw and getattr(settings, "AUDITLOG_DISABLE_ON_RAW_SAVE", False)):
        return
    action = LogEntry.Action.CREATE
    pre_log_results = pre_log.send(sender, instance=instance, action=action)
    if any(result is False for _receiver, result in pre_log_results):
        return
    error: BaseException | None = None
    entry: LogEntry | None = None
    changes = None
    as_json = getattr(settings, "AUDITLOG_STORE_JSON_CHANGES", False)  # auditlog's default: False
    try:
        changes = model_instance_diff(None, instance, use_json_for_changes=as_json)
        if changes:
            entry = _entry(instance, action, changes)
            _insert_entry(entry, using or router.db_for_write(LogEntry))
    except BaseException as exc:  # as auditlog: post_log hears of it, then it is raised
        error = exc
    finally:
        if entry is not None or error is not None:
            post_log.send(sender, instance=instance, instance_old=None, action=action, error=error,
                          pre_log_results=pre_log_results, changes=changes, log_entry=entry,
                          log_created=entry is not None, use_json_for_changes=as_json)
        if error is not None:
            raise error


def _entry(instance: models.Model, action: int, changes: Any) -> LogEntry:
    """The entry ``LogEntry.objects.log_create`` would make."""
    manager = LogEntry.objects
    pk = manager._get_pk_value(instance)
    try:
        object_repr = smart_str(instance)
    except ObjectDoesNotExist:
        object_repr = DEFAULT_OBJECT_REPR
    get_additional_data = getattr(instance, "get_additional_data", None)
    return LogEntry(content_type=ContentType.objects.get_for_model(instance), object_pk=pk,
                    object_id=pk if isinstance(pk, int) else None, object_repr=object_repr,
                    serialized_data=manager._get_serialized_data_or_none(instance), action=action,
                    changes=changes, cid=get_cid(),
                    additional_data=get_additional_data() if callable(get_additional_data) else None)


_INSERT: dict[str, tuple[str, list[models.Field]]] = {}


def _insert_entry(entry: LogEntry, using: str) -> None:
    """Write ``entry`` as ``save()`` would (its ``pre_save`` sent, each value prepared by its field), with
    a statement compiled once per database."""
    pre_save.send(sender=LogEntry, instance=entry, raw=False, using=using, update_fields=None)
    connection = connections[using]
    compiled = _INSERT.get(using)
    if compiled is None:
        qn = connection.ops.quote_name
        fields = [f for f in LogEntry._meta.local_concrete_fields if not f.primary_key]
        pk = LogEntry._meta.pk
        assert pk is not None
        columns, slots = ", ".join(qn(f.column) for f in fields), ", ".join(["%s"] * len(fields))
        # Names from the model, quoted by the backend; the values go as parameters.
        sql = f"INSERT INTO {qn(LogEntry._meta.db_table)} ({columns}) VALUES ({slots}) RETURNING {qn(pk.column)}"  # noqa: S608
        compiled = _INSERT[using] = (sql, fields)
    sql, fields = compiled
    with connection.cursor() as cursor:
        cursor.execute(sql, [f.get_db_prep_save(f.pre_save(entry, True), connection) for f in fields])
        entry.pk = cursor.fetchone()[0]
    entry._state.adding = False
    entry._state.db = using


_UNIT_SUBDISTRICT: dict[int, int | None] = {}


def subdistrict_of(instance: models.Model) -> int | None:
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


class AuditedMixin:
    """Stores the object's sub-district with each log entry (``additional_data``)."""

    def get_additional_data(self) -> dict[str, Any]:
        return {"subdistrict": subdistrict_of(self)}  # type: ignore[arg-type]


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
    deleted, _ = LogEntry.objects.filter(timestamp__lt=cutoff).delete()
    return deleted
