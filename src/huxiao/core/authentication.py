"""DRF authentication by API token. Kept apart from ``core.auth`` (which imports DRF views) because
DRF imports this module while it is itself being imported."""

from __future__ import annotations

from auditlog.context import auditlog_value
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from huxiao.core.models import ApiToken, User


def attach_audit_actor(user: User) -> None:
    """auditlog's middleware ran before DRF authenticated the token (or the token endpoint the password):
    name the actor now."""
    try:
        context = auditlog_value.get()
    except LookupError:
        return
    context["actor"] = user


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header."), code="invalid_token")
        try:
            key = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(_("Invalid token header."), code="invalid_token") from exc
        token = ApiToken.find(key)
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid or expired token."), code="invalid_token")
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            token.touch(now)
        attach_audit_actor(token.user)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword
