"""F-PREV-1: checklists (shipped, then edited by the sub-district), schedules and inspection records. A
failed item opens a hazard (``hazards.services.hazard_report``, source "inspection"), in the same transaction
as the record, once per item."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huxiao.compliance.engine import refresh_unit
from huxiao.core.models import Organisation, Unit, User
from huxiao.core.permissions import require
from huxiao.core.validators import validate_photo
from huxiao.hazards.models import Priority, Source
from huxiao.hazards.services import hazard_report
from huxiao.inspections.models import Inspection, ItemResult, Result, Schedule, Template, TemplateItem
from huxiao.inspections.shipped import SHIPPED


@transaction.atomic
def checklists_ship(*, subdistrict: Organisation) -> list[Template]:
    """The shipped checklists for a sub-district that has none of an area yet (idempotent)."""
    have = set(Template.objects.filter(subdistrict=subdistrict).values_list("area", flat=True))
    made = []
    for area, (name, name_en, items) in SHIPPED.items():
        if area in have:
            continue
        template = Template.objects.create(subdistrict=subdistrict, area=area, name=name, name_en=name_en)
        TemplateItem.objects.bulk_create([TemplateItem(template=template, order=i, text=zh, text_en=en)
                                          for i, (zh, en) in enumerate(items, start=1)])
        made.append(template)
    return made


@transaction.atomic
def template_update(*, actor: User, template: Template, name: str, name_en: str = "",
                    items: list[tuple[str, str]]) -> Template:
    """A checklist's name and items, in order. An item already used by a record is retired, not deleted, so
    old records keep reading as they did."""
    require(actor, "inspections.change_template", template.subdistrict)
    items = [(zh.strip(), en.strip()) for zh, en in items if zh.strip()]
    if not items:
        raise ValidationError({"items": [_("A checklist needs at least one item.")]})
    if any(len(zh) > 200 or len(en) > 200 for zh, en in items):
        raise ValidationError({"items": [_("An item is at most 200 characters.")]})
    template.name, template.name_en = name.strip(), name_en.strip()
    template.full_clean()
    template.save()
    current = list(TemplateItem.objects.filter(template=template, active=True).order_by("order", "id"))
    by_text = {item.text: item for item in current}
    kept = set()
    for order, (zh, en) in enumerate(items, start=1):
        item = by_text.get(zh)
        if item is None:
            TemplateItem.objects.create(template=template, order=order, text=zh, text_en=en)
            continue
        kept.add(item.pk)
        if (item.order, item.text_en) != (order, en):
            item.order, item.text_en = order, en
            item.save(update_fields=["order", "text_en"])
    for item in current:
        if item.pk not in kept:
            used = Result.objects.filter(item=item).exists()
            if used:
                item.active = False
                item.save(update_fields=["active"])
            else:
                item.delete()
    return template


@transaction.atomic
def schedule_set(*, actor: User, unit: Unit, template: Template, every_days: int,
                 next_due: date | None = None) -> Schedule:
    """The unit inspects ``template``'s area every ``every_days`` days (one schedule per checklist)."""
    require(actor, "inspections.schedule_inspection", unit)
    if template.subdistrict_id != unit.subdistrict_id:
        raise ValidationError({"template": [_("This checklist is another sub-district's.")]})
    schedule = Schedule.objects.filter(unit=unit, template=template).first() or Schedule(unit=unit, template=template)
    schedule.every_days = every_days
    schedule.next_due = next_due or schedule.next_due or timezone.localdate() + timedelta(days=every_days)
    schedule.full_clean()
    schedule.save()
    refresh_unit(unit.pk)
    return schedule


@transaction.atomic
def inspection_record(*, actor: User, unit: Unit, template: Template, date: date,
                      results: list[dict[str, Any]], notes: str = "") -> Inspection:
    """One inspection of ``unit`` against ``template``: a result for every active item. Each failed item
    opens a hazard at the unit; the schedule moves on from this date."""
    require(actor, "inspections.record_inspection", unit)
    if template.subdistrict_id != unit.subdistrict_id:
        raise ValidationError({"template": [_("This checklist is another sub-district's.")]})
    if date > timezone.localdate():
        raise ValidationError({"date": [_("An inspection is recorded after it took place.")]})
    items = {item.pk: item for item in TemplateItem.objects.filter(template=template, active=True)}
    given = {int(getattr(r["item"], "pk", r["item"])): r for r in results}
    errors: dict[str, list[str]] = {}
    if set(given) - set(items):
        errors["results"] = [_("An item is not on this checklist.")]
    elif missing := [items[pk].display_text for pk in items if pk not in given]:
        errors["results"] = [_("Give a result for every item: %(items)s.") % {"items": "、".join(missing)}]
    for pk, row in given.items():
        if row.get("result") not in ItemResult.values:
            errors.setdefault("results", []).append(_("Choose pass, fail or not applicable."))
        elif row["result"] == ItemResult.FAIL and not (row.get("note") or "").strip() and not row.get("photo"):
            item = items.get(pk)
            errors.setdefault("results", []).append(
                _("Say what failed: %(item)s.") % {"item": item.display_text if item else pk})
        try:
            validate_photo(row.get("photo"))
        except ValidationError as exc:
            errors.setdefault("photo", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    inspection = Inspection(unit=unit, template=template, date=date, inspector=actor, notes=notes.strip())
    inspection.full_clean()
    inspection.save()
    for pk, item in sorted(items.items(), key=lambda kv: (kv[1].order, kv[0])):
        row = given[pk]
        result = Result(inspection=inspection, item=item, text=item.text, result=row["result"],
                        note=(row.get("note") or "").strip()[:500])
        if row.get("photo"):
            photo = row["photo"]
            photo.name = f"{uuid.uuid4().hex}.{validate_photo(photo)}"
            result.photo = photo
        result.save()
        if result.result == ItemResult.FAIL:
            result.hazard = hazard_report(
                actor=actor, unit=unit, title=f"{template.name}：{item.text}"[:200], source=Source.INSPECTION,
                source_ref=f"inspection:{result.pk}", priority=Priority.MEDIUM, description=result.note,
                photo=_copy(result.photo) if result.photo else None)
            result.save(update_fields=["hazard"])
    schedule = Schedule.objects.filter(unit=unit, template=template).first()
    if schedule is not None and date + timedelta(days=schedule.every_days) > schedule.next_due:
        schedule.next_due = date + timedelta(days=schedule.every_days)
        schedule.save(update_fields=["next_due"])
    refresh_unit(unit.pk)
    return inspection


def _copy(field: Any) -> Any:
    """The item's photo as the hazard's first evidence."""
    from django.core.files.base import ContentFile

    with field.open("rb") as source:
        return ContentFile(source.read(), name=field.name.rsplit("/", 1)[-1])
