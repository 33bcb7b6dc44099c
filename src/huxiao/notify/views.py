"""The notification centre, and the live strip every page polls (new alerts appear within seconds)."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from huxiao.core.views import AuthenticatedHttpRequest
from huxiao.notify import services
from huxiao.notify.models import Notification


class NotificationsView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        items = Notification.objects.visible_to(request.user).order_by("-created_at")[:100]
        return render(request, "notify/list.html", {"items": items})

    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        services.mark_read(user=request.user)
        return redirect("notifications")


class LiveView(LoginRequiredMixin, View):
    """The bell's count and the newest unread alert; htmx asks every few seconds."""

    def get(self, request: HttpRequest) -> HttpResponse:
        unread = Notification.objects.visible_to(request.user).filter(read_at__isnull=True)
        return render(request, "notify/live.html", {
            "count": unread.count(), "alert": unread.filter(level="alert").order_by("-created_at").first()})
