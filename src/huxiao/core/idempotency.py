"""Retry safety for gate POSTs: a request sent again with the same ``Idempotency-Key`` header gets the
first answer again and changes nothing (a tablet on a shaky network at a crowded gate resends).

The first answer is stored per user and key, whatever it was (201, 409, 403…), except a 5xx, which
may be retried for real. A key sent again with a different body is a mistake: 422.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework.request import Request
from rest_framework.response import Response

from huxiao.core.errors import error_body
from huxiao.core.models import IdempotencyKey

HEADER = "Idempotency-Key"


def _fingerprint(request: Request) -> str:
    payload = json.dumps({"path": request.path, "data": request.data}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def run_idempotent(view: Any, request: Request, call: Callable[[], Response]) -> Response:
    """Answer ``call()``, or the stored first answer to the same ``Idempotency-Key``."""
    key = request.headers.get(HEADER, "").strip()
    if not key or not request.user.is_authenticated:
        return call()
    if len(key) > 100:
        return Response(error_body("invalid", _("Some fields are not valid."),
                                   {HEADER: [_("At most 100 characters.")]}), status=400)
    fingerprint = _fingerprint(request)
    stored = IdempotencyKey.objects.filter(user=request.user, key=key).first()
    if stored is not None:
        if stored.request_hash != fingerprint:
            return Response(error_body("idempotency_key_reused", _(
                "This Idempotency-Key was used for another request.")), status=422)
        return Response(stored.body, status=stored.status_code, headers={"Idempotent-Replayed": "true"})
    try:
        response = call()
    except Exception as exc:
        response = view.handle_exception(exc)
    if response.status_code < 500:
        try:
            with transaction.atomic():
                IdempotencyKey.objects.create(user=request.user, key=key, request_hash=fingerprint,
                                              status_code=response.status_code, body=response.data)
        except IntegrityError:
            # The same key raced in from a second connection: answer what the first one stored.
            first = IdempotencyKey.objects.get(user=request.user, key=key)
            return Response(first.body, status=first.status_code, headers={"Idempotent-Replayed": "true"})
    return response


class IdempotentPostMixin:
    """An APIView whose POST is safe to retry: it implements ``_post``."""

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return run_idempotent(self, request, lambda: self._post(request, *args, **kwargs))

    def _post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise NotImplementedError


class IdempotentCreateMixin:
    """A view set whose create (POST on the list) is safe to retry."""

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return run_idempotent(self, request, lambda: super(IdempotentCreateMixin, self).create(  # type: ignore[misc]
            request, *args, **kwargs))
