"""F-API: one error shape and pagination. Imported by DRF's settings, so this module imports no DRF
views or viewsets (they read these settings while being imported).

Every error is ``{"code", "detail"[, "fields"]}`` (API.md).
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

logger = logging.getLogger("huxiao.api")


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "The request conflicts with the current state."

    def __init__(self, detail: Any = None, code: str | None = None, **extra: Any) -> None:
        super().__init__(detail, code)
        self.extra = extra


class Refused(exceptions.APIException):
    """403 with a code of its own (``not_authorised``, ``credential_revoked``…) and, like ``Conflict``,
    extra fields in the body. Raised by services after they have recorded what was refused."""

    status_code = status.HTTP_403_FORBIDDEN
    default_code = "not_authorised"
    default_detail = "Not authorised."

    def __init__(self, detail: Any = None, code: str | None = None, **extra: Any) -> None:
        super().__init__(detail, code)
        self.extra = extra


_DEFAULT_CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    415: "unsupported_media_type",
    429: "throttled",
}


def _flatten(detail: Any) -> Any:
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_flatten(item) for item in detail]
    return str(detail)


def _field_errors(detail: Any) -> dict[str, list[Any]]:
    if isinstance(detail, dict):
        return {key: (_flatten(v) if isinstance(v, list | dict) else [str(v)]) for key, v in detail.items()}
    return {"non_field_errors": _flatten(detail if isinstance(detail, list) else [detail])}


def error_body(code: str, detail: str, fields: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "detail": detail}
    if fields:
        body["fields"] = fields
    body.update(extra)
    return body


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, OverflowError | DataError):
        # A number too large for its column (an id of 30 digits in a filter): bad input, not a server error.
        logger.info("out-of-range input turned into 400: %s", exc)
        exc = exceptions.ValidationError({"non_field_errors": [_("A value is out of range.")]})
    elif isinstance(exc, IntegrityError):
        # A constraint caught what validation did not (a concurrent write): the state conflicts.
        logger.info("integrity error turned into 409: %s", exc)
        exc = Conflict(_("The request conflicts with the current state."))
    if not isinstance(exc, exceptions.APIException):
        return None  # ApiErrorMiddleware answers the JSON 500 and logs the traceback.

    headers: dict[str, str] = {}
    auth_header, wait = getattr(exc, "auth_header", None), getattr(exc, "wait", None)
    if auth_header:
        headers["WWW-Authenticate"] = auth_header
    if wait:
        headers["Retry-After"] = str(int(wait))

    if isinstance(exc, exceptions.ValidationError):
        fields = _field_errors(exc.detail)
        body = error_body("invalid", _("Some fields are not valid."), fields)
    else:
        detail = exc.detail
        code = getattr(detail, "code", None) or exc.default_code
        if code in {"error", "invalid"} or not isinstance(code, str):
            code = _DEFAULT_CODES.get(exc.status_code, "error")
        if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            code = "not_authenticated" if isinstance(exc, exceptions.NotAuthenticated) else code
        if isinstance(exc, exceptions.ParseError):
            code = "parse_error"
        text = str(detail) if not isinstance(detail, list | dict) else str(_flatten(detail))
        body = error_body(code, text, **getattr(exc, "extra", {}))
    from rest_framework.views import set_rollback

    set_rollback()
    return Response(body, status=exc.status_code, headers=headers)
