"""F-AUTH: API tokens, the token endpoint, lock-out responses, login bookkeeping."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from huxiao.core.api import StrictSerializer, error_body
from huxiao.core.authentication import TokenAuthentication, attach_audit_actor
from huxiao.core.models import ApiToken, User
from huxiao.core.services import SecondFactorRefused, second_factor_verify


class TokenRequestSerializer(StrictSerializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False)
    otp = serializers.CharField(max_length=12, required=False, allow_blank=True)


class TokenView(APIView):
    """``POST /api/v1/auth/token/`` → ``{"token"}``; ``DELETE`` revokes the token in use."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [AllowAny]

    def get_permissions(self) -> list[Any]:
        return [IsAuthenticated()] if self.request.method == "DELETE" else [AllowAny()]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField(),
                                                             "expires_at": serializers.DateTimeField()})},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # The Django request, so django-axes counts failures and locks the account as for the login page.
        user = authenticate(
            request._request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if getattr(request._request, "axes_locked_out", False):
            return Response(lockout_body(), status=status.HTTP_429_TOO_MANY_REQUESTS)
        if user is None or not user.is_active:
            raise exceptions.AuthenticationFailed(_("Wrong username or password."), code="invalid_credentials")
        if user.needs_second_factor:
            refused = self.second_factor_refused(user, data.validated_data.get("otp", ""))
            if refused is not None:
                return refused
        token, key = ApiToken.issue(user)
        return Response({"token": key, "expires_at": token.expires_at})

    @staticmethod
    def second_factor_refused(user: User, otp: str) -> Response | None:
        """F-AUTH (issue #14): the roles of ``SECOND_FACTOR_ROLES`` send the app's current code as ``otp``. A
        token is then issued only against a code, so a request carrying it is treated as verified. Missing: 401
        ``otp_required``; wrong: 401 ``invalid_otp``, counted by django-otp's throttling, which refuses codes for
        a while after failures (429 ``otp_throttled`` with ``Retry-After``). Recovery codes are for the page."""
        if not otp.strip():
            refused = SecondFactorRefused("otp_required", _("This account needs the code of its authenticator app: "
                                                            "send it as \"otp\"."))
        else:
            attach_audit_actor(user)  # the device's entries (a failure counted, a code used) name who tried
            try:
                second_factor_verify(user=user, code=otp, allow_recovery=False)
                return None
            except SecondFactorRefused as exc:
                refused = exc
        if refused.code == "otp_throttled":
            return Response(error_body(refused.code, refused.message), status=status.HTTP_429_TOO_MANY_REQUESTS,
                            headers={"Retry-After": str(refused.retry_after or 1)})
        return Response(error_body(refused.code, refused.message), status=status.HTTP_401_UNAUTHORIZED,
                        headers={"WWW-Authenticate": TokenAuthentication.keyword})

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        if isinstance(request.auth, ApiToken):
            request.auth.revoke()
        return Response(status=status.HTTP_204_NO_CONTENT)


def lockout_body() -> dict[str, Any]:
    from django.conf import settings

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return error_body(
        "locked_out",
        _("Too many failed logins: this account is locked for %(minutes)d minutes.") % {"minutes": minutes},
    )


def lockout_response(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    """django-axes calls this when a locked account tries again (page or API)."""
    if request.path.startswith("/api/"):
        return JsonResponse(lockout_body(), status=429, json_dumps_params={"ensure_ascii": False})
    from huxiao.core.forms import LoginForm

    context = {"form": LoginForm(request), "locked_out": lockout_body()["detail"]}
    return render(request, "registration/login.html", context, status=429)


@receiver(user_logged_in)
def _stamp_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session["huxiao_login_at"] = now
        request.session["huxiao_last_seen"] = now
