"""Pages of the core: the units list and form, the audit viewer, the login and its second factor. Base classes
scope every page by the user."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlencode

import django_otp
import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import ListView
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from huxiao.core import services
from huxiao.core.audit_display import audit_rows
from huxiao.core.endpoints import audit_visible_to
from huxiao.core.forms import EnrolForm, LoginForm, SecondFactorForm
from huxiao.core.models import Organisation, OrgType, Unit, UnitKind, User
from huxiao.core.validators import id_param

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails


class AuthenticatedHttpRequest(HttpRequest):
    """What a page behind ``LoginRequiredMixin`` is given, for the type checker: a request whose user is
    a ``User`` (never anonymous), with django-htmx's ``request.htmx``. Annotations only."""

    user: User
    htmx: HtmxDetails


def add_errors(form: Any, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its field where the form has one, else on the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class ScopedMixin(LoginRequiredMixin):
    """``get_queryset`` is ``visible_to(user)``: outside the scope is 404, like missing."""

    model: Any
    request: HttpRequest

    def get_queryset(self) -> Any:
        return self.model.objects.visible_to(self.request.user)


class UnitListView(ScopedMixin, ListView):  # type: ignore[type-arg]
    model = Unit
    template_name = "core/unit_list.html"
    paginate_by = 50

    def get_queryset(self) -> Any:
        qs = super().get_queryset().select_related("parent", "police_station").order_by("code")
        params = self.request.GET
        if params.get("q"):
            q = params["q"].strip()
            qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(name_en__icontains=q)
                           | Q(address__icontains=q))
        if params.get("kind") in UnitKind.values:
            qs = qs.filter(kind=params["kind"])
        community = id_param(params.get("community"))
        if community is not None:
            qs = qs.filter(parent_id=community)
        return qs

    def get_template_names(self) -> list[str]:
        htmx = getattr(self.request, "htmx", None)
        if htmx and not htmx.boosted:
            return ["core/unit_list.html#unit-table"]
        return [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["communities"] = Organisation.objects.visible_to(user).filter(type=OrgType.COMMUNITY)
        context["kinds"] = UnitKind.choices
        context["can_add"] = user.has_perm("core.add_unit")
        context["map_tiles"] = settings.MAP_TILES
        context["map_units"] = [
            {"id": u.pk, "name": u.display_name, "kind": u.kind, "lat": u.lat, "lng": u.lng,
             "url": reverse("unit-detail", args=[u.pk])}
            for u in context["object_list"] if u.lat is not None and u.lng is not None
        ]
        return context


class UnitForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Unit
        fields = ["code", "name", "name_en", "kind", "parent", "police_station", "pupils", "boarding",
                  "address", "lat", "lng", "phone", "principal", "active"]
        labels = {"parent": gettext_lazy("Community")}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        visible = Organisation.objects.visible_to(user)
        parent = cast("forms.ModelChoiceField[Organisation]", self.fields["parent"])
        parent.queryset = visible.filter(type=OrgType.COMMUNITY)
        parent.required = True
        police_station = cast("forms.ModelChoiceField[Organisation]", self.fields["police_station"])
        police_station.queryset = visible.filter(type=OrgType.POLICE_STATION)
        if not user.has_perm("core.add_unit"):
            for name in services.UNIT_FIELDS - services.UNIT_ADMIN_FIELDS:
                if name in self.fields:
                    self.fields[name].disabled = True
        for field in self.fields.values():
            css = "form-check-input" if isinstance(field.widget, forms.CheckboxInput) else "form-control"
            if isinstance(field.widget, forms.Select):
                css = "form-select"
            field.widget.attrs.setdefault("class", css)

    def clean_code(self) -> str:
        # As the API does (``UnitSerializer.validate_code``); the model's validator checks the characters.
        return str(self.cleaned_data["code"]).strip().upper()


class UnitEditView(LoginRequiredMixin, View):
    """Create (no pk) or edit a unit, through the services that check who may do what."""

    scope_model = Unit  # the object the URL's pk names (tenancy matrix)

    def get_unit(self, request: HttpRequest, pk: int | None) -> Unit | None:
        if pk is None:
            if not request.user.has_perm("core.add_unit"):
                raise PermissionDenied
            return None
        unit = get_object_or_404(Unit.objects.visible_to(request.user), pk=pk)
        if not request.user.has_perm("core.change_unit", unit):
            raise PermissionDenied
        return unit

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        unit = self.get_unit(request, pk)
        form = UnitForm(instance=unit, user=request.user)
        return render(request, "core/unit_form.html", {"form": form, "unit": unit})

    def post(self, request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
        unit = self.get_unit(request, pk)
        form = UnitForm(request.POST, instance=unit, user=request.user)
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in form.changed_data if not form.fields[name].disabled}
            try:
                if unit is None:
                    data = dict(form.cleaned_data)
                    unit = services.unit_create(actor=request.user, **data)
                else:
                    unit = services.unit_update(actor=request.user, unit=unit, **data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("unit-detail", pk=unit.pk)
        return render(request, "core/unit_form.html", {"form": form, "unit": unit}, status=400)


class AuditLogView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("core.view_audit"):
            raise PermissionDenied
        entries = audit_visible_to(request.user)
        if request.GET.get("model"):
            entries = entries.filter(content_type__model=request.GET["model"].lower())
        if request.GET.get("actor"):
            entries = entries.filter(actor__username=request.GET["actor"])
        page = Paginator(entries, 50).get_page(request.GET.get("page"))
        return render(request, "core/audit_log.html", {"page": page, "rows": audit_rows(page.object_list)})


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, which also remembers the choice on the account: what Huxiao sends a
    person outside the pages (e-mail, SMS, the stream) is written in it (F-I18N, F-NOTIFY)."""
    from django.views.i18n import set_language as switch

    from huxiao.core.audit import update_where

    response = switch(request)
    language = request.POST.get("language", "") if request.method == "POST" else ""
    user = request.user
    if (user.is_authenticated and language in dict(settings.LANGUAGES)
            and getattr(user, "preferred_language", language) != language):
        update_where(user, preferred_language=language)
    return response



# --- F-AUTH: the login page and the second factor (issue #14) -------------------------------------------

RECOVERY_CODES_SESSION_KEY = "huxiao_recovery_codes"


def _next_url(request: HttpRequest) -> str:
    """Where the login goes on to: ``next`` when it is a page of this site, else the home page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def _verified(user: Any) -> bool:
    is_verified = getattr(user, "is_verified", None)  # django-otp's middleware adds it to the session's user
    return bool(is_verified is not None and is_verified())


class LoginView(auth_views.LoginView):
    """Django's login page. For ``SECOND_FACTOR_ROLES`` the password leads on to the second factor, ``next``
    kept (the middleware would send them there anyway: this saves a redirect)."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_success_url(self) -> str:
        url = super().get_success_url()
        user = self.request.user
        if getattr(user, "needs_second_factor", False) and not _verified(user):
            return _with_next("login-otp", url)
        return url


def _otp_login(request: HttpRequest, device: Any) -> None:
    """The session has passed the second factor: a new session key, as at any change of privilege."""
    django_otp.login(request, device)
    request.session.cycle_key()


@method_decorator(never_cache, name="dispatch")
class SecondFactorView(View):
    """``/login/otp/``: the code of the authenticator app, or a recovery code, after a correct password."""

    template_name = "registration/otp_verify.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        self.next_url = _next_url(request)
        if not getattr(user, "needs_second_factor", False) or _verified(user):
            return redirect(self.next_url)
        if not TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists():
            return redirect(_with_next("login-otp-enrol", self.next_url))
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, form: SecondFactorForm, status: int = 200) -> HttpResponse:
        return render(self.request, self.template_name, {"form": form, "next": self.next_url}, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_form(SecondFactorForm())

    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        form = SecondFactorForm(request.POST)
        if not form.is_valid():
            return self.render_form(form, status=400)
        try:
            device = services.second_factor_verify(user=request.user, code=form.cleaned_data["code"])
        except services.SecondFactorRefused as exc:
            form.add_error("code", exc.message)
            return self.render_form(form, status=429 if exc.code == "otp_throttled" else 400)
        _otp_login(request, device)
        if isinstance(device, StaticDevice):
            left = device.token_set.count()
            messages.warning(request, ngettext(
                "You logged in with a recovery code. %(count)d recovery code is left: keep it safe.",
                "You logged in with a recovery code. %(count)d recovery codes are left: keep them safe.",
                left) % {"count": left})
        return redirect(self.next_url)


@method_decorator(never_cache, name="dispatch")
class SecondFactorEnrolView(View):
    """``/login/otp/enrol/``: the first login of a ``SECOND_FACTOR_ROLES`` account sets up its authenticator
    app from a QR code (or the secret typed in), confirmed by one of its codes; the recovery codes follow."""

    template_name = "registration/otp_enrol.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        self.next_url = _next_url(request)
        if not getattr(user, "needs_second_factor", False) or _verified(user):
            return redirect(self.next_url)
        if TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists():
            return redirect(_with_next("login-otp", self.next_url))
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, form: EnrolForm, status: int = 200) -> HttpResponse:
        user = cast(User, self.request.user)
        device = services.second_factor_enrol(user=user)
        secret = base64.b32encode(device.bin_key).decode()
        qr = segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=4, dark="#000", light="#fff")
        context = {"form": form, "next": self.next_url, "qr": qr,
                   "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_form(EnrolForm())

    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        form = EnrolForm(request.POST)
        if not form.is_valid():
            return self.render_form(form, status=400)
        try:
            device, codes = services.second_factor_confirm(user=request.user, code=form.cleaned_data["code"])
        except services.SecondFactorRefused as exc:
            form.add_error("code", exc.message)
            return self.render_form(form, status=429 if exc.code == "otp_throttled" else 400)
        _otp_login(request, device)
        request.session[RECOVERY_CODES_SESSION_KEY] = codes
        return redirect(_with_next("login-otp-recovery", self.next_url))


@method_decorator(never_cache, name="dispatch")
class RecoveryCodesView(View):
    """``/login/otp/recovery-codes/``: the recovery codes just issued, shown this once (taken from the session
    as they are shown; only their digests are stored)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        next_url = _next_url(request)
        codes = request.session.pop(RECOVERY_CODES_SESSION_KEY, None)
        if not codes:
            return redirect(next_url)
        return render(request, "registration/otp_recovery_codes.html", {"codes": codes, "next": next_url})
