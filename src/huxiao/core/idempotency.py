"""Retry safety for gate POSTs: a request sent again with the same ``Idempotency-Key`` header gets the
first answer again and changes nothing (a tablet on a shaky network at a crowded gate resends).

The key is claimed *before* the work, in the same transaction as the work: a row under the unique
constraint (user, key) is inserted first, then the request runs, then its answer is written onto that row
and everything commits together. A second request with the same key that arrives while the first is in
flight blocks on that unique index (PostgreSQL waits for the first transaction; SQLite's writers queue on
``BEGIN IMMEDIATE``) and, once the first has committed, reads and answers the stored answer. Nothing is
checked and then acted on, so ten simultaneous retries do the work once (issue #11, ``races/``).

The first answer is stored whatever it was (201, 409, 403…), except a 5xx: then the transaction, claim
included, rolls back and the request may be retried for real. A key sent again with a different body is a
mistake: 422 ``idempotency_key_reused``. Keys are kept ``HUXIAO_IDEMPOTENCY_HOURS`` (24 h) and then purged
by a job (``core.tasks.purge_idempotency_keys``).
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import mixins
from rest_framework.request import Request
from rest_framework.response import Response

from huxiao.core.errors import error_body
from huxiao.core.models import IdempotencyKey

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 100


def _fingerprint(request: Request) -> str:
    payload = json.dumps({"path": request.path, "data": request.data}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def _replay(stored: IdempotencyKey, fingerprint: str) -> Response:
    if stored.request_hash != fingerprint:
        return Response(error_body("idempotency_key_reused", _(
            "This Idempotency-Key was used for another request.")), status=422)
    return Response(stored.body, status=stored.status_code, headers={"Idempotent-Replayed": "true"})


class _Rollback(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


def run_idempotent(view: Any, request: Request, call: Callable[[], Response]) -> Response:
    """Answer ``call()``, or the stored first answer to the same ``Idempotency-Key``."""
    key = request.headers.get(HEADER, "").strip()
    if not key or not request.user.is_authenticated:
        return call()
    if len(key) > MAX_KEY_LENGTH:
        return Response(error_body("invalid", _("Some fields are not valid."),
                                   {HEADER: [_("At most %(n)s characters.") % {"n": MAX_KEY_LENGTH}]}), status=400)
    fingerprint = _fingerprint(request)
    stored = IdempotencyKey.objects.filter(user=request.user, key=key).first()
    if stored is not None:  # the common retry, long after the first: no write lock taken
        return _replay(stored, fingerprint)
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    # The claim. A concurrent request with this key waits here until the first commits.
                    claim = IdempotencyKey.objects.create(user=request.user, key=key, request_hash=fingerprint,
                                                          status_code=0, body={})
            except IntegrityError:
                return _replay(IdempotencyKey.objects.get(user=request.user, key=key), fingerprint)
            try:
                response = call()
            except Exception as exc:  # DRF's own handling turns it into the answer (or re-raises it)
                response = view.handle_exception(exc)
            if response.status_code >= 500:
                raise _Rollback(response)
            IdempotencyKey.objects.filter(pk=claim.pk).update(status_code=response.status_code,
                                                              body=response.data)
            return response
    except _Rollback as rollback:
        return rollback.response


F = TypeVar("F", bound=Callable[..., Response])


def idempotent(method: F) -> F:
    """A view method (``def post(self, request, ...)``, a ``create`` or an ``@action``) whose POST is safe
    to retry with an ``Idempotency-Key``."""

    @functools.wraps(method)
    def wrapper(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        return run_idempotent(self, request, lambda: method(self, request, *args, **kwargs))

    return cast(F, wrapper)


class IdempotentPostMixin:
    """An APIView whose POST is safe to retry: it implements ``_post``."""

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return run_idempotent(self, request, lambda: self._post(request, *args, **kwargs))

    def _post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise NotImplementedError


if TYPE_CHECKING:  # what the mixin is mixed into, for the type checker
    _CreateBase = mixins.CreateModelMixin
else:
    _CreateBase = object


class IdempotentCreateMixin(_CreateBase):
    """A view set whose create (POST on the list) is safe to retry."""

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return run_idempotent(self, request, lambda: super(IdempotentCreateMixin, self).create(
            request, *args, **kwargs))


def purge_expired(*, now: Any = None) -> int:
    """Forget keys older than ``HUXIAO_IDEMPOTENCY_HOURS``: a retry comes within minutes, not days."""
    cutoff = (now or timezone.now()) - timedelta(hours=settings.HUXIAO_IDEMPOTENCY_HOURS)
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
