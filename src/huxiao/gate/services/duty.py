"""F-GATE-4 writes: shifts, handovers, checkpoints, patrol rounds.

A round: the guard scans the checkpoints' QR codes in their order. Scanning the first checkpoint starts a
round (one open round per guard, by a partial unique index); scanning the last, or finishing by hand,
closes it: complete when every checkpoint was scanned in order, otherwise incomplete, with what was missed.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huxiao.core.errors import Conflict
from huxiao.core.models import Unit, User
from huxiao.core.permissions import require
from huxiao.core.validators import too_long
from huxiao.gate.models.duty import Checkpoint, Handover, PatrolRound, RoundScan, RoundStatus, Shift
from huxiao.gate.permissions import is_guard_at


@transaction.atomic
def shift_add(*, actor: User, unit: Unit, guard: User, start: datetime, end: datetime, note: str = "") -> Shift:
    require(actor, "gate.manage_shifts", unit)
    if not is_guard_at(guard, unit):
        raise ValidationError({"guard": _("Choose a guard of this unit.")})
    if errors := too_long(Shift, note=note):
        raise ValidationError(errors)
    if end <= start:
        raise ValidationError({"end": _("A shift ends after it starts.")})
    if Shift.objects.filter(guard=guard, start__lt=end, end__gt=start).exists():
        raise ValidationError({"start": _("This guard already has a shift at that time.")})
    return Shift.objects.create(unit=unit, guard=guard, start=start, end=end, note=note)


@transaction.atomic
def handover_record(*, actor: User, unit: Unit, to_guard: User, equipment_ok: bool = True,
                    notes: str = "") -> Handover:
    require(actor, "gate.record_handover", unit)
    if not is_guard_at(to_guard, unit) or to_guard.pk == actor.pk:
        raise ValidationError({"to_guard": _("Choose the guard who takes over.")})
    return Handover.objects.create(unit=unit, from_guard=actor, to_guard=to_guard, at=timezone.now(),
                                   equipment_ok=equipment_ok, notes=notes.strip())


@transaction.atomic
def checkpoint_add(*, actor: User, unit: Unit, name: str) -> Checkpoint:
    require(actor, "gate.manage_checkpoints", unit)
    last = Checkpoint.objects.filter(unit=unit, active=True).order_by("-order").values_list("order", flat=True).first()
    checkpoint = Checkpoint(unit=unit, name=name.strip(), order=(last or 0) + 1)
    checkpoint.full_clean()
    checkpoint.save()
    return checkpoint


def checkpoint_scan(*, actor: User, token: str, at: datetime | None = None) -> RoundScan:
    """A guard scans a checkpoint's code: the round opens on the first, closes on the last."""
    at = timezone.localtime(at or timezone.now())
    checkpoint = Checkpoint.objects.filter(token=token.strip(), active=True).first()
    if checkpoint is None or checkpoint.unit_id != actor.organisation_id:
        raise ValidationError({"token": [_("This is not a checkpoint of your unit.")]})
    require(actor, "gate.scan_checkpoint", checkpoint)
    with transaction.atomic():
        current = PatrolRound.objects.select_for_update().filter(guard=actor, status=RoundStatus.IN_PROGRESS).first()
        if current is None:
            try:
                with transaction.atomic():
                    current = PatrolRound.objects.create(unit_id=checkpoint.unit_id, guard=actor, started_at=at,
                                                         day=at.date())
            except IntegrityError:
                raise Conflict(_("A round is already open."), code="round_open") from None
        done = list(current.scans.order_by("at").values_list("checkpoint__order", flat=True))
        if checkpoint.order in done:
            raise Conflict(_("%(name)s was already scanned in this round.") % {"name": checkpoint.name},
                           code="already_scanned")
        expected = _next_order(checkpoint.unit_id, done)
        scan = RoundScan.objects.create(round=current, checkpoint=checkpoint, at=at,
                                        in_order=checkpoint.order == expected)
        last = Checkpoint.objects.filter(unit_id=checkpoint.unit_id, active=True).order_by("-order").first()
        if last is not None and checkpoint.pk == last.pk:
            _close(current, at)
    return scan


def _next_order(unit_id: int, done: list[int]) -> int | None:
    remaining = Checkpoint.objects.filter(unit_id=unit_id, active=True).exclude(order__in=done).order_by("order")
    return remaining.values_list("order", flat=True).first()


def _close(patrol_round: PatrolRound, at: datetime) -> None:
    checkpoints = list(Checkpoint.objects.filter(unit_id=patrol_round.unit_id, active=True).order_by("order"))
    scans = {s.checkpoint_id: s for s in patrol_round.scans.all()}
    missed = [c.name for c in checkpoints if c.pk not in scans or not scans[c.pk].in_order]
    patrol_round.finished_at = at
    patrol_round.status = RoundStatus.INCOMPLETE if missed else RoundStatus.COMPLETE
    patrol_round.missed = missed
    patrol_round.save(update_fields=["finished_at", "status", "missed"])


@transaction.atomic
def round_finish(*, actor: User) -> PatrolRound:
    """End the guard's open round now (the rest of the checkpoints count as missed)."""
    current = PatrolRound.objects.select_for_update().filter(guard=actor, status=RoundStatus.IN_PROGRESS).first()
    if current is None:
        raise Conflict(_("No round is open."), code="no_round")
    _close(current, timezone.localtime())
    return current
