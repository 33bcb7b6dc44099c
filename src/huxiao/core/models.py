"""Organisations, units, users and roles (FEATURES.md §1), and API tokens (F-AUTH).

The organisation tree: a sub-district at the root; communities, units, offices and the police station
below it. Every organisation carries its sub-district, so "everything in my sub-district" is one
indexed filter. A unit (school or kindergarten) is an organisation with a campus (multi-table: the
unit's id is its organisation's id).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.cache import cache
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huxiao.core.audit import AuditedMixin
from huxiao.core.fields import EncryptedCharField, LookupHashField, normalize_id_number, normalize_phone
from huxiao.core.scoping import ScopedQuerySet
from huxiao.core.validators import CODE_MAX_LENGTH, phone_validator, validate_code


class OrgType(models.TextChoices):
    SUBDISTRICT = "subdistrict", _("Sub-district")
    COMMUNITY = "community", _("Community")
    UNIT = "unit", _("Unit")
    GOVERNANCE_OFFICE = "governance_office", _("Governance office")
    EDUCATION_OFFICE = "education_office", _("Education office")
    SUPERVISION_OFFICE = "supervision_office", _("Supervision office")
    POLICE_STATION = "police_station", _("Police station")


class Role(models.TextChoices):
    SUBDISTRICT_ADMIN = "subdistrict_admin", _("Sub-district admin")
    GOVERNANCE = "governance", _("Governance officer")
    EDUCATION = "education", _("Education officer")
    SUPERVISOR = "supervisor", _("Supervisor")
    POLICE = "police", _("Police officer")
    UNIT_ADMIN = "unit_admin", _("Unit admin")
    GUARD = "guard", _("Gate guard")
    TEACHER = "teacher", _("Class teacher")
    PATROL = "patrol", _("Patrol volunteer")
    BUS_ATTENDANT = "bus_attendant", _("Bus attendant")
    GUARDIAN = "guardian", _("Guardian")


# Which organisation type each role belongs to: a user's organisation must match.
ROLE_ORG_TYPES: dict[str, set[str]] = {
    Role.SUBDISTRICT_ADMIN: {OrgType.SUBDISTRICT},
    Role.GOVERNANCE: {OrgType.GOVERNANCE_OFFICE},
    Role.EDUCATION: {OrgType.EDUCATION_OFFICE},
    Role.SUPERVISOR: {OrgType.SUPERVISION_OFFICE},
    Role.POLICE: {OrgType.POLICE_STATION},
    Role.UNIT_ADMIN: {OrgType.UNIT},
    Role.GUARD: {OrgType.UNIT},
    Role.TEACHER: {OrgType.UNIT},
    Role.BUS_ATTENDANT: {OrgType.UNIT},
    Role.PATROL: {OrgType.COMMUNITY},
    Role.GUARDIAN: {OrgType.UNIT},
}
# Roles that see the whole sub-district.
SUBDISTRICT_WIDE_ROLES = {Role.SUBDISTRICT_ADMIN, Role.GOVERNANCE, Role.EDUCATION, Role.SUPERVISOR}
# Roles that work inside one unit.
UNIT_ROLES = {Role.UNIT_ADMIN, Role.GUARD, Role.TEACHER, Role.BUS_ATTENDANT, Role.GUARDIAN}
# F-AUTH: shorter idle timeout for roles that see across units or the high-risk ledger.
PRIVILEGED_ROLES = SUBDISTRICT_WIDE_ROLES | {Role.POLICE}
# F-AUTH (issue #14): the roles that see the high-risk ledger log in with a second factor (TOTP).
SECOND_FACTOR_ROLES = frozenset({Role.POLICE, Role.GOVERNANCE})


class Organisation(AuditedMixin, models.Model):
    type = models.CharField(_("type"), max_length=24, choices=OrgType.choices)
    code = models.CharField(_("code"), max_length=CODE_MAX_LENGTH, unique=True, validators=[validate_code])
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=160, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # The root of the tree this organisation belongs to (itself for a sub-district).
    subdistrict = models.ForeignKey(
        "self", verbose_name=_("sub-district"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    lat = models.FloatField(
        _("latitude"), null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    lng = models.FloatField(
        _("longitude"), null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    # A closed polygon, [[lat, lng], ...], WGS-84.
    boundary = models.JSONField(_("boundary"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True, validators=[phone_validator])
    created_at = models.DateTimeField(auto_now_add=True)

    # Unit inherits it: Django gives a child model a copy of its parent's managers, bound to the child.
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["code"]
        indexes = [models.Index(fields=["subdistrict", "type"], name="org_subdistrict_type")]
        constraints = [
            models.CheckConstraint(condition=Q(type__in=OrgType.values), name="org_type_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        from django.utils.translation import get_language

        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name

    @classmethod
    def scope_filter(cls, user: Any) -> Q:
        from huxiao.core.scoping import organisation_scope

        return organisation_scope(user)


class UnitKind(models.TextChoices):
    KINDERGARTEN = "kindergarten", _("Kindergarten")
    PRIMARY = "primary", _("Primary school")
    MIDDLE = "middle", _("Middle school")
    NINE_YEAR = "nine_year", _("Nine-year school")
    HIGH = "high", _("High school")
    OTHER = "other", _("Other")


class Unit(Organisation):
    """A school or kindergarten (单位). Its parent is its community."""

    organisation = models.OneToOneField(
        Organisation, parent_link=True, on_delete=models.CASCADE, related_name="unit", primary_key=True
    )
    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind.choices, db_index=True)
    pupils = models.PositiveIntegerField(_("pupils"), default=0, validators=[MaxValueValidator(100_000)])
    boarding = models.BooleanField(_("boarding"), default=False)
    police_station = models.ForeignKey(
        Organisation,
        verbose_name=_("police station"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="covered_units",
        limit_choices_to={"type": OrgType.POLICE_STATION},
    )
    principal = models.CharField(_("principal"), max_length=60, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=UnitKind.values), name="unit_kind_valid"),
        ]

    @classmethod
    def scope_filter(cls, user: Any) -> Q:
        from huxiao.core.scoping import unit_scope

        return unit_scope(user, "pk")

    @property
    def community(self) -> Organisation | None:
        return self.parent


if TYPE_CHECKING:
    class ScopedUserManager(UserManager["User"]):
        """What ``UserManager.from_queryset(ScopedQuerySet)`` builds, as mypy should see it."""

        def get_queryset(self) -> ScopedQuerySet[User]: ...
        def visible_to(self, user: Any) -> ScopedQuerySet[User]: ...
else:
    class ScopedUserManager(UserManager.from_queryset(ScopedQuerySet)):
        """Django's ``UserManager`` over a ``ScopedQuerySet`` (``User.objects.visible_to(user)``)."""


class User(AuditedMixin, AbstractUser):
    """A person who logs in, holding one role in one organisation."""

    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="members"
    )
    full_name = models.CharField(_("full name"), max_length=60, blank=True)
    phone = EncryptedCharField(_("phone"), max_length=20, blank=True, normalize=normalize_phone,
                               validators=[phone_validator])
    phone_hash = LookupHashField(source="phone")
    # Real-name registration (实名制) of staff: a resident ID, encrypted, found by its keyed hash.
    id_number = EncryptedCharField(_("ID number"), max_length=32, blank=True, normalize=normalize_id_number)
    id_number_hash = LookupHashField(source="id_number")
    preferred_language = models.CharField(_("language"), max_length=8, blank=True)

    objects: ClassVar[ScopedUserManager] = ScopedUserManager()

    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="user_role_valid"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @classmethod
    def scope_filter(cls, user: Any) -> Q:
        """Sub-district admins see the sub-district's users, unit admins their unit's, others themselves."""
        from huxiao.core.scoping import NOTHING

        if user is None or not user.is_authenticated or not user.is_active:
            return NOTHING
        if user.role == Role.SUBDISTRICT_ADMIN:
            return Q(organisation__subdistrict_id=user.organisation.subdistrict_id)
        if user.role == Role.UNIT_ADMIN:
            return Q(organisation_id=user.organisation_id)
        return Q(pk=user.pk)

    @property
    def is_privileged(self) -> bool:
        return self.role in PRIVILEGED_ROLES

    @property
    def needs_second_factor(self) -> bool:
        """A password alone does not open this account's pages (F-AUTH, ``SECOND_FACTOR_ROLES``)."""
        return self.role in SECOND_FACTOR_ROLES

    @property
    def unit_id(self) -> int | None:
        return self.organisation_id if self.role in UNIT_ROLES else None


def _token_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def live(self, now: datetime | None = None) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class ApiToken(models.Model):
    audit_exclude = True  # issued and revoked constantly; the token endpoint is covered by axes
    """``Authorization: Token <key>``. Only a SHA-256 of the key is stored: a database leak is no login."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()
    cached_until: datetime  # when a copy found by ``find`` leaves the cache (not a column)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}…"

    @classmethod
    def issue(cls, user: User, *, hours: int | None = None) -> tuple[ApiToken, str]:
        key = secrets.token_urlsafe(32)
        hours = hours or settings.API_TOKEN_TTL_HOURS
        token = cls.objects.create(
            user=user,
            digest=_token_digest(key),
            prefix=key[:8],
            expires_at=timezone.now() + timedelta(hours=hours),
        )
        return token, key

    @classmethod
    def find(cls, key: str) -> ApiToken | None:
        """The live token with this key, with its user and organisation (every API request runs it): from
        the cache (``HUXIAO_TOKEN_CACHE_SECONDS``), else one query, whose answer is cached until the token
        expires or the time is up. Revoking it or changing its user forgets it (``forget_tokens``)."""
        digest, now = _token_digest(key), timezone.now()
        cached: tuple[ApiToken, datetime] | None = _cache_call(cache.get, TOKEN_CACHE_PREFIX + digest)
        if cached is None:
            # A digest is unique: no ORDER BY. No personal field is decrypted, and neither they nor the
            # password hash go into the cache.
            found = (ApiToken.objects.live(now).select_related("user__organisation")
                     .defer("user__phone", "user__id_number", "user__password").filter(digest=digest).order_by())
            token = next(iter(found[:1]), None)
            if token is None:
                return None
            token.cached_until = min(now + timedelta(seconds=settings.HUXIAO_TOKEN_CACHE_SECONDS), token.expires_at)
            token.keep_cached()
        else:
            token, until = cached
            token.cached_until = until
        return token if token.revoked_at is None and token.expires_at > now else None

    def keep_cached(self) -> None:
        """Cache this token (with its user and organisation) until its ``cached_until``, no longer."""
        seconds = int((self.cached_until - timezone.now()).total_seconds())
        if seconds > 0:
            _cache_call(cache.set, TOKEN_CACHE_PREFIX + self.digest, (self, self.cached_until), seconds)

    def touch(self, now: datetime) -> None:
        """The token was used: ``last_used_at`` (the caller writes it at most once a minute), in the cached
        copy too, which still leaves the cache when it was due to."""
        ApiToken.objects.filter(pk=self.pk).update(last_used_at=now)
        self.last_used_at = now
        if hasattr(self, "cached_until"):
            self.keep_cached()

    def revoke(self) -> None:
        ApiToken.objects.filter(pk=self.pk).update(revoked_at=timezone.now())
        forget_tokens([self.digest])


logger = logging.getLogger(__name__)
TOKEN_CACHE_PREFIX = "huxiao:token:"  # noqa: S105  (a cache key prefix)


def _cache_call(method: Any, *args: Any) -> Any:
    """A call to the cache that cannot fail a request: when the cache (Redis) is down, the token is looked up
    in the database, as without a cache. A token forgotten while Redis was unreachable is forgotten by
    Redis's restart (it keeps nothing on disk) or, after a blip, within ``HUXIAO_TOKEN_CACHE_SECONDS``."""
    try:
        return method(*args)
    except Exception:  # redis.ConnectionError, TimeoutError…: the cache is an optimisation only
        logger.warning("token cache unavailable; using the database", exc_info=True)
        return None


def forget_tokens(digests: Iterable[str]) -> None:
    """Drop tokens from the cache, so the next request looks them up again."""
    _cache_call(cache.delete_many, [TOKEN_CACHE_PREFIX + digest for digest in digests])


@receiver(post_save, sender=User, dispatch_uid="huxiao-forget-user-tokens")
def _forget_user_tokens(sender: type[User], instance: User, **kwargs: Any) -> None:
    """A user changed (deactivated, another role or organisation): their cached tokens are forgotten. A
    login only stamps ``last_login``, which no token reads: nothing to forget."""
    if set(kwargs.get("update_fields") or ()) == {"last_login"}:
        return
    forget_tokens(ApiToken.objects.filter(user_id=instance.pk).values_list("digest", flat=True))


@receiver(post_save, sender=Organisation, dispatch_uid="huxiao-forget-organisation-tokens")
def _forget_organisation_tokens(sender: type[Organisation], instance: Organisation, **kwargs: Any) -> None:
    forget_tokens(ApiToken.objects.filter(user__organisation_id=instance.pk).values_list("digest", flat=True))


class IdempotencyKey(models.Model):
    """The first answer to a request sent with an ``Idempotency-Key`` header (gate POSTs): a retry of the
    same request gets the same answer and changes nothing."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    audit_exclude = True

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user")]

    def __str__(self) -> str:
        return self.key


@receiver(post_delete, sender=ApiToken, dispatch_uid="huxiao-forget-deleted-token")
def _forget_deleted_token(sender: type[ApiToken], instance: ApiToken, **kwargs: Any) -> None:
    """A token deleted, by itself or with its user or organisation (the deletion cascades to it)."""
    forget_tokens([instance.digest])
