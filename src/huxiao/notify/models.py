"""F-NOTIFY, first part: in-app notifications. Each row is one person's, written in that person's
language when it is raised; pages poll for new ones (the live stream of F-TECH-3 comes later)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from huxiao.core.scoping import ScopedQuerySet


class Level(models.TextChoices):
    INFO = "info", _("Information")
    WARNING = "warning", _("Warning")
    ALERT = "alert", _("Alert")


class Notification(models.Model):
    user = models.ForeignKey("core.User", verbose_name=_("to"), on_delete=models.CASCADE,
                             related_name="notifications")
    unit = models.ForeignKey("core.Unit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    kind = models.CharField(_("kind"), max_length=40)
    level = models.CharField(_("level"), max_length=8, choices=Level.choices, default=Level.INFO)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    # What it is about (``alarm:<id>``), so that when that is over its notifications leave the alert strips.
    ref = models.CharField(_("about"), max_length=40, blank=True, db_index=True)
    # The title and body in every language of the UI ({"en": {"title": ..., "body": ...}, ...}), rendered when
    # it is raised: it is read in the language its reader views the pages in, which may not be the one
    # ``title``/``body`` (the recipient's own, for e-mail and SMS) were written in.
    texts = models.JSONField(_("texts"), default=dict, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    # Derived from audited events (the visit, the refused pick-up): the audit trail is there.
    audit_exclude = True

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]
        constraints = [models.CheckConstraint(condition=Q(level__in=Level.values), name="notification_level_valid")]

    def __str__(self) -> str:
        return self.title

    def text_in(self, language: str | None = None) -> tuple[str, str]:
        """Title and body in ``language`` (the active one by default); as stored when it has no such text."""
        from django.utils.translation import get_language

        code = (language or get_language() or "").lower()
        texts = self.texts or {}
        chosen = texts.get(code) or next((t for lang, t in texts.items() if lang.split("-")[0] == code.split("-")[0]),
                                         None)
        return (chosen["title"], chosen["body"]) if chosen else (self.title, self.body)

    @property
    def display_title(self) -> str:
        return self.text_in()[0]

    @property
    def display_body(self) -> str:
        return self.text_in()[1]

    @classmethod
    def scope_filter(cls, user: Any) -> Q:
        """Everyone sees their own notifications, nobody else's."""
        if user is None or not user.is_authenticated:
            return Q(pk__in=[])
        return Q(user_id=user.pk)
