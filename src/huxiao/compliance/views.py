"""F-DASH, first part: the compliance matrix (units × rules), its evidence, its Excel export, and the
sub-district's rule parameters."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from huxiao.compliance import selectors, services
from huxiao.compliance.engine import rules
from huxiao.compliance.models import Result
from huxiao.compliance.registry import PARAMS, render_all
from huxiao.core.models import Organisation, OrgType, Unit, UnitKind
from huxiao.core.views import AuthenticatedHttpRequest

EXPORT_LIMIT = 5000


class MatrixView(LoginRequiredMixin, View):
    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        f = selectors.MatrixFilters.from_params(request.GET)
        columns, page, rows, counts = selectors.matrix(request.user, f, page=request.GET.get("page", 1))
        context = {
            "filters": f, "columns": columns, "page": page, "rows": rows, "counts": counts,
            "communities": Organisation.objects.visible_to(request.user).filter(type=OrgType.COMMUNITY),
            "kinds": UnitKind.choices, "all_rules": sorted(rules().values(), key=lambda r: r.code),
            "last_run": selectors.last_run(request.user), "trend": selectors.trend(request.user),
            "query": request.GET.urlencode(),
            "query_without_page": "&".join(f"{k}={v}" for k, v in request.GET.items() if k != "page"),
        }
        if getattr(request, "htmx", False) and not request.htmx.boosted:
            return render(request, "compliance/matrix.html#matrix-table", context)
        return render(request, "compliance/matrix.html", context)


class EvidenceView(LoginRequiredMixin, View):
    """One cell: the rule, its verdict, the evidence in words, since when, and a link to the records."""

    scope_model = Unit

    def get(self, request: HttpRequest, pk: int, rule: str) -> HttpResponse:
        unit = get_object_or_404(Unit.objects.visible_to(request.user), pk=pk)
        spec = rules().get(rule)
        if spec is None:
            raise Http404
        result = Result.objects.filter(unit=unit, rule=rule).first()
        records = reverse(spec.records, args=[unit.pk]) if spec.records != "force-visibility" else reverse(
            spec.records)
        context = {"unit": unit, "rule": spec, "result": result,
                   "lines": render_all(result.evidence) if result else [],
                   "records": records + (f"#{spec.anchor}" if spec.anchor else "")}
        template = "compliance/evidence.html"
        if getattr(request, "htmx", False):
            template += "#evidence"
        return render(request, template, context)


class ExportView(LoginRequiredMixin, View):
    """The matrix as filtered, as an .xlsx ledger (台账): one row per unit, one column per rule, each cell
    the verdict in words, and a second sheet with every failing or warning cell's evidence."""

    def get(self, request: HttpRequest) -> HttpResponse:
        from openpyxl import Workbook
        from openpyxl.styles import Font, PatternFill

        f = selectors.MatrixFilters.from_params(request.GET)
        columns, _page, rows, _counts = selectors.matrix(request.user, f, per_page=EXPORT_LIMIT)
        words = {"pass": _("Pass"), "warn": _("Warning"), "fail": _("Fail")}
        fills = {"pass": "D1E7DD", "warn": "FFF3CD", "fail": "F8D7DA"}
        book = Workbook()
        sheet = book.active
        sheet.title = _("Matrix")[:31]
        sheet.append([_("Code"), _("Unit"), _("Kind"), _("Community")] + [f"{c.title} ({c.code})" for c in columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        detail = book.create_sheet(_("Evidence")[:31])
        detail.append([_("Code"), _("Unit"), _("Rule"), _("Status"), _("Since"), _("Evidence")])
        for cell in detail[1]:
            cell.font = Font(bold=True)
        for row in rows:
            unit = row.unit
            values = [unit.code, unit.display_name, unit.get_kind_display(), unit.parent.display_name if unit.parent
                      else ""]
            values += [words[c.status] if c else "—" for c in row.cells]
            sheet.append(values)
            for i, c in enumerate(row.cells):
                if c is not None:
                    sheet.cell(row=sheet.max_row, column=5 + i).fill = PatternFill("solid", fgColor=fills[c.status])
                    if c.status != "pass":
                        detail.append([unit.code, unit.display_name, f"{columns[i].title} ({c.rule})",
                                       words[c.status], timezone.localtime(c.since).strftime("%Y-%m-%d"),
                                       " ".join(render_all(c.evidence))])
        sheet.freeze_panes = "C2"
        for ws, widths in ((sheet, [10, 28, 12, 14] + [16] * len(columns)), (detail, [10, 28, 28, 10, 12, 80])):
            for i, width in enumerate(widths):
                ws.column_dimensions[ws.cell(row=1, column=i + 1).column_letter].width = width
        out = BytesIO()
        book.save(out)
        name = f"compliance-{timezone.localdate():%Y%m%d}.xlsx"
        response = HttpResponse(out.getvalue(),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class ParametersView(LoginRequiredMixin, View):
    """The rule parameters of the user's sub-district; its admin edits them."""

    def context(self, request: AuthenticatedHttpRequest, errors: dict[str, Any] | None = None,
                submitted: dict[str, Any] | None = None) -> dict[str, Any]:
        subdistrict = request.user.organisation.subdistrict
        values = services.parameters_of(subdistrict)  # type: ignore[arg-type]
        if submitted:
            values.update(submitted)
        return {
            "params": [{"spec": spec, "value": values[key], "error": (errors or {}).get(key),
                        "is_default": values[key] == spec.default} for key, spec in PARAMS.items()],
            "editable": request.user.has_perm("compliance.change_parameters", subdistrict),
        }

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        return render(request, "compliance/parameters.html", self.context(request))

    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        subdistrict = request.user.organisation.subdistrict
        if not request.user.has_perm("compliance.change_parameters", subdistrict):
            raise PermissionDenied
        submitted: dict[str, Any] = {}
        for key, spec in PARAMS.items():
            if spec.kind == "kinds":
                # A checkbox group sends nothing when all are unchecked: its hidden marker says it was on
                # the form, so "none" is told apart from "not submitted" (left as it is).
                if key in request.POST or f"{key}.present" in request.POST:
                    submitted[key] = request.POST.getlist(key)
            elif key in request.POST:
                submitted[key] = request.POST[key]
        try:
            services.parameters_update(actor=request.user, subdistrict=subdistrict,  # type: ignore[arg-type]
                                       values=submitted)
        except ValidationError as exc:
            return render(request, "compliance/parameters.html",
                          self.context(request, {k: v[0] for k, v in exc.message_dict.items()}, submitted), status=400)
        messages.success(request, _("Saved. Every unit was checked again with the new parameters."))
        return redirect("compliance-parameters")
