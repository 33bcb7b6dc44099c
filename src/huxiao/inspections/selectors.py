"""Reads of checklists, schedules and inspections, through ``visible_to``."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from huxiao.inspections.models import Inspection, Result, Schedule, Template, TemplateItem


def checklists(user: Any) -> QuerySet[Template]:
    return (Template.objects.visible_to(user).filter(active=True).order_by("area")
            .prefetch_related(Prefetch("items", queryset=TemplateItem.objects.filter(active=True).order_by("order"))))


def schedules_of(user: Any, unit: Any) -> QuerySet[Schedule]:
    return Schedule.objects.visible_to(user).filter(unit=unit).select_related("template").order_by("next_due")


def inspections_of(user: Any, unit: Any) -> QuerySet[Inspection]:
    return (Inspection.objects.visible_to(user).filter(unit=unit).select_related("template", "inspector")
            .annotate(failed=Count("results", filter=Q(results__result="fail"))).order_by("-date", "-id"))


def results_of(user: Any, inspection: Inspection) -> list[Result]:
    return list(Result.objects.visible_to(user).filter(inspection=inspection).select_related("item", "hazard")
                .order_by("item__order", "id"))


def due_by_unit(user: Any, *, today: Any) -> list[dict[str, Any]]:
    """Per unit the user sees: schedules, how many are overdue, the next due date (one query)."""
    from django.utils.translation import get_language

    english = (get_language() or "").startswith("en")
    rows = (Schedule.objects.visible_to(user).values("unit_id", "unit__name", "unit__name_en", "unit__code")
            .annotate(n=Count("id"), overdue=Count("id", filter=Q(next_due__lt=today)))
            .order_by("-overdue", "unit__code"))
    # The unit's name in the reader's language, as ``Unit.display_name`` gives it.
    return [{**row, "unit_name": (row["unit__name_en"] if english and row["unit__name_en"] else row["unit__name"])}
            for row in rows]
