"""The demo's accounts, all with the demo's one password. Its hash is made once per process and password
(PBKDF2 costs a third of a second: seventy-six accounts hashed one by one took half a minute of every start).

The accounts that need a second factor (``SECOND_FACTOR_ROLES``) are enrolled with the base32 secret in
``HUXIAO_DEMO_TOTP_SECRET`` when it is set (API.md), so scripts can compute their codes; without it they set up
an authenticator app from a QR code at their first login."""

from __future__ import annotations

import os
from functools import lru_cache

from django.contrib.auth.hashers import make_password

from huxiao.core.models import Organisation, User
from huxiao.core.services import second_factor_enrol_secret, user_create


@lru_cache(maxsize=2)
def password_hash(password: str) -> str:
    return make_password(password)


def account(username: str, *, password: str, role: str, org: Organisation, full_name: str,
            refresh: bool = True) -> User:
    """The account ``username``, created with the demo's password, or given it back (and, with ``refresh``,
    its role, organisation and name) when it exists: a build puts the demo's accounts back as they were."""
    user = User.objects.filter(username=username).first()
    if user is None:
        user = user_create(username=username, password=password, role=role, organisation=org,
                           full_name=full_name, check_password=False, password_hash=password_hash(password))
    else:
        user.password = password_hash(password)
        fields = ["password"]
        if refresh:
            user.role, user.organisation, user.full_name, user.is_active = role, org, full_name, True
            fields += ["role", "organisation", "full_name", "is_active"]
        user.save(update_fields=fields)
    secret = os.environ.get("HUXIAO_DEMO_TOTP_SECRET", "").strip()
    if secret and user.needs_second_factor:
        second_factor_enrol_secret(user=user, secret=secret)
    return user
