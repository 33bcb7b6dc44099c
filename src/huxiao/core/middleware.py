"""Request-level guards: JSON errors under /api/, the idle/absolute session timeouts and the second factor
(F-AUTH)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.db import DataError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from huxiao.core.errors import error_body

logger = logging.getLogger("huxiao.api")

Handler = Callable[[HttpRequest], HttpResponse]

_STATUS_CODES = {
    400: ("bad_request", "The request is not valid."),
    401: ("not_authenticated", "Authentication credentials were not provided."),
    403: ("permission_denied", "You do not have permission to perform this action."),
    404: ("not_found", "Not found."),
    405: ("method_not_allowed", "Method not allowed."),
    413: ("too_large", "The request is too large."),
    500: ("server_error", "Internal error. It has been logged; please try again."),
}


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def api_error_response(status: int) -> JsonResponse:
    code, detail = _STATUS_CODES.get(status, ("error", "The request failed."))
    return JsonResponse(error_body(code, _(detail)), status=status, json_dumps_params={"ensure_ascii": False})


class ApiErrorMiddleware:
    """Under /api/ no error is ever HTML or a stack trace, whichever layer produced it (URL
    resolution, CSRF, an uncaught exception)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if _is_api(request) and response.status_code >= 400:
            content_type = response.get("Content-Type", "")
            if "json" not in content_type:
                return api_error_response(response.status_code)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not _is_api(request):
            if isinstance(exception, OverflowError | DataError):
                # A number in the address too large for the database: the user's input, answered as such.
                from django.shortcuts import render

                return render(request, "400.html", status=400)
            return None
        if isinstance(exception, OverflowError | DataError):
            return JsonResponse(error_body("invalid", _("Some fields are not valid."),
                                           {"non_field_errors": [_("A value is out of range.")]}), status=400)
        logger.exception("unhandled error on %s %s", request.method, request.path)
        return api_error_response(500)


def _idle_limit_seconds(user: object) -> int:
    minutes = (
        settings.SESSION_IDLE_MINUTES_PRIVILEGED
        if getattr(user, "is_privileged", False)
        else settings.SESSION_IDLE_MINUTES_STAFF
    )
    return int(minutes) * 60


class SessionTimeoutMiddleware:
    """Logs a browser session out after its idle limit (30 minutes for staff, 15 for police and
    sub-district roles) or 12 hours after login, whichever comes first."""

    TOUCH_EVERY = 30  # seconds: do not write the session on every request of a busy page

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            session = request.session
            login_at = session.get("huxiao_login_at", now)
            last_seen = session.get("huxiao_last_seen", now)
            expired = (now - last_seen > _idle_limit_seconds(user)) or (
                now - login_at > settings.SESSION_ABSOLUTE_HOURS * 3600
            )
            if expired:
                logout(request)
                if not _is_api(request):
                    messages.info(request, _("Your session expired. Please log in again."))
            else:
                session.setdefault("huxiao_login_at", login_at)
                if now - last_seen >= self.TOUCH_EVERY or "huxiao_last_seen" not in session:
                    session["huxiao_last_seen"] = now
        return self.get_response(request)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler404``: under /api/ the JSON answer at once, without rendering the HTML page first only for
    ``ApiErrorMiddleware`` to replace it; elsewhere Django's page (``404.html``)."""
    if _is_api(request):
        return api_error_response(404)
    from django.views.defaults import page_not_found as django_page_not_found

    return django_page_not_found(request, exception)


class SecondFactorMiddleware:
    """F-AUTH (issue #14): a user of ``SECOND_FACTOR_ROLES`` whose session has passed the password but not the
    second factor (django-otp's ``user.is_verified()``) reaches only the second-factor pages, logging out, the
    language switch and static files. Any other page redirects to ``/login/otp/`` (keeping ``next``); the API
    answers 403 ``otp_required``. A request that carries an API token is the token's (DRF and the live stream
    authenticate it before the session, and a token of these roles is issued only against a code)."""

    EXEMPT_NAMES = ("login", "logout", "javascript-catalog", "login-otp", "login-otp-enrol", "login-otp-recovery",
                    "api:token")

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response
        self._exempt: frozenset[str] | None = None

    def is_exempt(self, path: str) -> bool:
        if self._exempt is None:  # resolved at the first request, when the URL conf is loaded
            self._exempt = frozenset(reverse(name) for name in self.EXEMPT_NAMES)
        return path in self._exempt or path.startswith((settings.STATIC_URL, "/i18n/"))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (user is None or not user.is_authenticated or not getattr(user, "needs_second_factor", False)
                or user.is_verified() or self.is_exempt(request.path)):
            return self.get_response(request)
        if _is_api(request):
            if request.headers.get("Authorization", "").startswith("Token "):
                return self.get_response(request)
            return JsonResponse(error_body("otp_required", _("Enter the code of your authenticator app first: "
                                                             "log in on the web page.")),
                                status=403, json_dumps_params={"ensure_ascii": False})
        target = f"{reverse('login-otp')}?{urlencode({'next': request.get_full_path()})}"
        if request.headers.get("HX-Request"):  # htmx would swap the page into a fragment: send the window there
            return HttpResponse(status=204, headers={"HX-Redirect": target})
        return redirect(target)
