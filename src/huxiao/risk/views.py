"""F-RISK pages: the ledger (filters, overdue first, a register form), a person's page (masked ID and
phone with a reveal that asks for a reason, assessments, follow-ups, gate sightings, close), and the
disputes with their mediations. Police and governance officers only: any other role gets 403. Every
person shown is an audited read."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from huxiao.core.audit import audit_read
from huxiao.core.errors import Conflict
from huxiao.core.models import Role, Unit, User
from huxiao.core.reveal import reveal
from huxiao.core.views import add_errors
from huxiao.risk import selectors, services
from huxiao.risk.models import (
    Assessment,
    Category,
    Dispute,
    DisputeKind,
    DisputeStatus,
    FollowUp,
    Level,
    Mediation,
    PersonStatus,
    RiskPerson,
)

DATE = {"type": "date"}


def _styled(form: forms.BaseForm) -> forms.BaseForm:
    for field in form.fields.values():
        if not isinstance(field.widget, forms.CheckboxInput):
            field.widget.attrs.setdefault("class", "form-select" if isinstance(field.widget, forms.Select)
                                          else "form-control")
    return form


class LedgerMixin(LoginRequiredMixin):
    """403 for any role but police and governance, before anything is read."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not request.user.has_perm("risk.view_ledger"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def _units(user: Any) -> Any:
    return Unit.objects.visible_to(user).filter(active=True).order_by("name")


class PersonForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=gettext_lazy("Campus concerned"))
    name = forms.CharField(label=gettext_lazy("Name"), max_length=60)
    id_number = forms.CharField(label=gettext_lazy("Resident ID number"), max_length=32)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=20, required=False)
    address = forms.CharField(label=gettext_lazy("Address"), max_length=200, required=False)
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=Category.choices)
    level = forms.ChoiceField(label=gettext_lazy("Risk level"), choices=Level.choices)
    basis = forms.CharField(label=gettext_lazy("Basis of the assessment"), max_length=1000,
                            widget=forms.Textarea(attrs={"rows": 2}))
    officer = forms.ModelChoiceField(queryset=User.objects.none(), label=gettext_lazy("Responsible police officer"))
    community_contact = forms.CharField(label=gettext_lazy("Responsible community worker"), max_length=60)
    community_phone = forms.CharField(label=gettext_lazy("Community worker's phone"), max_length=20, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["unit"].queryset = _units(user)
        fields["officer"].queryset = User.objects.visible_to(user).filter(role=Role.POLICE, is_active=True).order_by(
            "full_name")
        if user.role == Role.POLICE:
            self.initial.setdefault("officer", user.pk)
        _styled(self)


LEDGER_PAGE = 50


class LedgerView(LedgerMixin, View):
    def _page(self, request: HttpRequest, form: PersonForm | None = None, status: int = 200) -> HttpResponse:
        user: Any = request.user
        q = request.GET.get("q", "")[:40]
        level = request.GET.get("level", "") if request.GET.get("level") in Level.values else ""
        state = request.GET.get("status", PersonStatus.ACTIVE)
        state = state if state in PersonStatus.values or state == "" else PersonStatus.ACTIVE
        unit = request.GET.get("unit", "")
        unit_id = int(unit) if unit.isdigit() else None
        overdue = request.GET.get("overdue") == "1"
        rows = selectors.ledger(user, q=q, level=level, status=state, unit=unit_id, overdue=overdue)
        page = Paginator(rows, LEDGER_PAGE).get_page(request.GET.get("page"))
        for person in page.object_list:  # what is shown is what is read: one page, overdue first
            audit_read(person)
        counts = selectors.counts(user.organisation.subdistrict_id) if user.role == Role.GOVERNANCE else None
        return render(request, "risk/ledger.html", {
            "rows": page.object_list, "page": page, "total": len(rows),
            "query_without_page": urlencode([(k, v) for k, v in request.GET.items() if k != "page"]),
            "q": q, "level": level, "status": state, "unit": unit_id, "overdue": overdue,
            "levels": Level.choices, "statuses": PersonStatus.choices, "units": _units(user),
            "form": form or PersonForm(user=user), "open_form": form is not None, "counts": counts,
            "overdue_count": sum(1 for p in rows if getattr(p, "overdue", False))}, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._page(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PersonForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                person = services.person_register(actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("%(name)s is in the ledger.") % {"name": person.name})
                return redirect("risk-person", person.pk)
        return self._page(request, form, status=400)


class AssessmentForm(forms.ModelForm):
    class Meta:
        model = Assessment
        fields = ["assessed_on", "level", "basis"]
        widgets = {"assessed_on": forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
                   "basis": forms.Textarea(attrs={"rows": 2})}


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ["on", "kind", "note"]
        widgets = {"on": forms.DateInput(attrs=DATE, format="%Y-%m-%d"), "note": forms.Textarea(attrs={"rows": 2})}


class CloseForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why the record is closed"), max_length=200)


class RevealForm(forms.Form):
    field = forms.ChoiceField(choices=[("id_number", "id_number"), ("phone", "phone")], widget=forms.HiddenInput)
    reason = forms.CharField(label=gettext_lazy("Why you need to see it"), max_length=200)


PERSON_FORMS: dict[str, type[forms.BaseForm]] = {"assessment": AssessmentForm, "followup": FollowUpForm,
                                                  "close": CloseForm}


class PersonView(LedgerMixin, View):
    scope_model = RiskPerson

    def _person(self, request: HttpRequest, pk: int) -> RiskPerson:
        person = selectors.person_detail(request.user, pk)  # type: ignore[arg-type]
        if person is None:
            raise Http404
        return person

    def _page(self, request: HttpRequest, person: RiskPerson, bound: Any = None, which: str = "",
              status: int = 200) -> HttpResponse:
        audit_read(person)
        today = timezone.localdate()
        forms_ = {name: bound if name == which and bound is not None else _styled(cls(
            prefix=name, initial={"assessed_on": today, "on": today, "level": person.level}))
            for name, cls in PERSON_FORMS.items()}
        return render(request, "risk/person.html", {
            "person": person, "forms": forms_, "open_form": which,
            "can_keep": request.user.has_perm("risk.keep_person", person)}, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._page(request, self._person(request, pk))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        person = self._person(request, pk)
        which = request.POST.get("form", "")
        if which not in PERSON_FORMS:
            return self._page(request, person, status=400)
        form = _styled(PERSON_FORMS[which](request.POST, prefix=which))
        if form.is_valid():
            data = form.cleaned_data
            try:
                if which == "assessment":
                    services.assessment_add(actor=request.user, person=person, level=data["level"],  # type: ignore[arg-type]
                                            basis=data["basis"], on=data["assessed_on"])
                    messages.success(request, _("Assessment recorded."))
                elif which == "followup":
                    services.followup_add(actor=request.user, person=person, **data)  # type: ignore[arg-type]
                    messages.success(request, _("Follow-up recorded."))
                else:
                    services.person_close(actor=request.user, person=person, reason=data["reason"])  # type: ignore[arg-type]
                    messages.success(request, _("The record is closed."))
            except ValidationError as exc:
                add_errors(form, exc)
            except Conflict as exc:
                form.add_error(None, str(exc.detail))
            else:
                return redirect("risk-person", person.pk)
        return self._page(request, self._person(request, pk), form, which, status=400)


class RevealView(LedgerMixin, View):
    """``POST`` ``{field, reason}`` → the partial with the full value (htmx), audited with the reason."""

    scope_model = RiskPerson

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        person = RiskPerson.objects.visible_to(request.user).filter(pk=pk).first()
        if person is None:
            raise Http404
        form = RevealForm(request.POST)
        field = request.POST.get("field", "id_number")
        context: dict[str, Any] = {"person": person, "field": field, "form": form}
        if form.is_valid():
            try:
                context["value"] = reveal(actor=request.user, instance=person, perm="risk.reveal_person",
                                          **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
        template = "risk/_reveal.html" if getattr(request, "htmx", False) else "risk/reveal_page.html"
        return render(request, template, context, status=200 if "value" in context else 400)


class UnitLedgerView(LedgerMixin, View):
    """The compliance matrix's "open the records" for ``risk.followup``: the ledger of that campus, for a campus
    the reader sees (404 otherwise, as for any object out of scope)."""

    scope_model = Unit  # the object the URL's pk names (tenancy matrix)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        unit = get_object_or_404(Unit.objects.visible_to(request.user), pk=pk)
        return redirect(reverse("risk-ledger") + f"?unit={unit.pk}")


class DisputeForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=gettext_lazy("Campus concerned"))
    title = forms.CharField(label=gettext_lazy("Title"), max_length=120)
    kind = forms.ChoiceField(label=gettext_lazy("Type"), choices=DisputeKind.choices)
    level = forms.ChoiceField(label=gettext_lazy("Risk level"), choices=Level.choices)
    description = forms.CharField(label=gettext_lazy("What happened"), max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    party1_name = forms.CharField(label=gettext_lazy("Party 1: name"), max_length=60)
    party1_side = forms.CharField(label=gettext_lazy("Party 1: who they are"), max_length=60)
    party1_phone = forms.CharField(label=gettext_lazy("Party 1: phone"), max_length=20, required=False)
    party2_name = forms.CharField(label=gettext_lazy("Party 2: name"), max_length=60, required=False)
    party2_side = forms.CharField(label=gettext_lazy("Party 2: who they are"), max_length=60, required=False)
    party2_phone = forms.CharField(label=gettext_lazy("Party 2: phone"), max_length=20, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _units(user)  # type: ignore[attr-defined]
        _styled(self)


class DisputesView(LedgerMixin, View):
    def _page(self, request: HttpRequest, form: DisputeForm | None = None, status: int = 200) -> HttpResponse:
        state = request.GET.get("status", "open")
        state = state if state in DisputeStatus.values or state == "" else "open"
        rows = list(selectors.disputes(request.user, status=state).order_by("-reported_on", "-id"))  # type: ignore[arg-type]
        return render(request, "risk/disputes.html", {
            "rows": rows, "status": state, "statuses": DisputeStatus.choices,
            "form": form or DisputeForm(user=request.user), "open_form": form is not None}, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._page(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = DisputeForm(request.POST, user=request.user)
        if form.is_valid():
            d = form.cleaned_data
            parties = [{"name": d[f"party{i}_name"], "side": d[f"party{i}_side"], "phone": d[f"party{i}_phone"]}
                       for i in (1, 2)]
            try:
                dispute = services.dispute_register(actor=request.user, unit=d["unit"], title=d["title"],  # type: ignore[arg-type]
                                                    kind=d["kind"], level=d["level"], description=d["description"],
                                                    parties=parties)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("Dispute recorded."))
                return redirect("risk-dispute", dispute.pk)
        return self._page(request, form, status=400)


class MediationForm(forms.ModelForm):
    class Meta:
        model = Mediation
        fields = ["on", "mediator", "note"]
        widgets = {"on": forms.DateInput(attrs=DATE, format="%Y-%m-%d"), "note": forms.Textarea(attrs={"rows": 2})}


class EndForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Ended as"), choices=[
        (DisputeStatus.RESOLVED, DisputeStatus.RESOLVED.label), (DisputeStatus.REFERRED, DisputeStatus.REFERRED.label)])
    outcome = forms.CharField(label=gettext_lazy("Outcome"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


DISPUTE_FORMS: dict[str, type[forms.BaseForm]] = {"mediation": MediationForm, "end": EndForm}


class DisputeView(LedgerMixin, View):
    scope_model = Dispute

    def _dispute(self, request: HttpRequest, pk: int) -> Dispute:
        dispute = (Dispute.objects.visible_to(request.user).select_related("unit", "recorded_by")
                   .prefetch_related("parties", "mediations").filter(pk=pk).first())
        if dispute is None:
            raise Http404
        return dispute

    def _page(self, request: HttpRequest, dispute: Dispute, bound: Any = None, which: str = "",
              status: int = 200) -> HttpResponse:
        audit_read(dispute)
        forms_ = {name: bound if name == which and bound is not None else _styled(cls(
            prefix=name, initial={"on": timezone.localdate()})) for name, cls in DISPUTE_FORMS.items()}
        return render(request, "risk/dispute.html", {"dispute": dispute, "forms": forms_, "open_form": which},
                      status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._page(request, self._dispute(request, pk))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        dispute = self._dispute(request, pk)
        which = request.POST.get("form", "")
        if which not in DISPUTE_FORMS:
            return self._page(request, dispute, status=400)
        form = _styled(DISPUTE_FORMS[which](request.POST, prefix=which))
        if form.is_valid():
            try:
                if which == "mediation":
                    services.mediation_add(actor=request.user, dispute=dispute, **form.cleaned_data)  # type: ignore[arg-type]
                    messages.success(request, _("Mediation recorded."))
                else:
                    services.dispute_end(actor=request.user, dispute=dispute, **form.cleaned_data)  # type: ignore[arg-type]
                    messages.success(request, _("The dispute has ended."))
            except ValidationError as exc:
                add_errors(form, exc)
            except Conflict as exc:
                form.add_error(None, str(exc.detail))
            else:
                return redirect("risk-dispute", dispute.pk)
        return self._page(request, self._dispute(request, pk), form, which, status=400)


