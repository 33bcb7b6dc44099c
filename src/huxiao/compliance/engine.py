"""F-COMP: evaluate every rule for many units with a fixed number of queries, and keep the verdicts.

``evaluate`` is pure reading: one query for the units, one for the parameters, then each rule's bulk
loaders (shared through ``Context.once``). ``refresh`` stores what changed, in the caller's transaction
when there is one: a service that adds a guard refreshes that unit's verdicts before it commits, so the
matrix never disagrees with the records. A periodic job (``compliance.tasks``) re-evaluates everything,
since time alone changes verdicts (a guard's birthday, a window that closed without police).
"""

from __future__ import annotations

import gc
import time as _time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, TypeVar

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from huxiao.compliance.registry import FAIL, PARAMS, PASS, REGISTRY, WARN, Rule, Verdict
from huxiao.core.models import Unit

T = TypeVar("T")

UNIT_FIELDS = ("id", "code", "name", "name_en", "kind", "pupils", "boarding", "subdistrict_id", "parent_id",
               "police_station_id", "created_at")


@dataclass(frozen=True, slots=True)
class UnitRow:
    id: int
    code: str
    name: str
    name_en: str
    kind: str
    pupils: int
    boarding: bool
    subdistrict_id: int
    parent_id: int | None
    police_station_id: int | None
    created_at: datetime

    @property
    def is_kindergarten(self) -> bool:
        return self.kind == "kindergarten"


class Context:
    """What a rule sees: the units, today, their parameters, and memoised bulk loaders."""

    def __init__(self, units: Any, *, now: datetime | None = None) -> None:
        self.now = timezone.localtime(now or timezone.now())
        self.today: date = self.now.date()
        self.unit_qs = units
        self.units: list[UnitRow] = [UnitRow(**row) for row in units.order_by().values(*UNIT_FIELDS)]
        self._cache: dict[str, Any] = {}
        self._params: dict[int, dict[str, Any]] | None = None

    def unit_ids(self) -> Any:
        """A subquery of the units' ids: the SQL is the same size for ten units or ten thousand."""
        return self.unit_qs.order_by().values("pk")

    def once(self, key: str, loader: Callable[[Context], T]) -> T:
        if key not in self._cache:
            self._cache[key] = loader(self)
        return self._cache[key]

    def param(self, unit: UnitRow, key: str) -> Any:
        if self._params is None:
            from huxiao.compliance.models import RuleParameter

            self._params = defaultdict(dict)
            subdistricts = {u.subdistrict_id for u in self.units}
            for sd, k, v in RuleParameter.objects.filter(subdistrict_id__in=subdistricts).values_list(
                    "subdistrict_id", "key", "value"):
                self._params[sd][k] = v
        values = self._params.get(unit.subdistrict_id, {})
        return values[key] if key in values else PARAMS[key].default

    def start_of(self, day: date) -> datetime:
        return timezone.make_aware(datetime.combine(day, time.min))


_discovered = False


def rules() -> dict[str, Rule]:
    global _discovered
    if not _discovered:
        autodiscover_modules("rules")
        _discovered = True
    return REGISTRY


def active_units() -> Any:
    return Unit.objects.filter(active=True)


def evaluate(units: Any = None, *, now: datetime | None = None,
             only: Iterable[str] | None = None) -> dict[tuple[int, str], Verdict]:
    """Every rule (or ``only`` these) for ``units`` (default: every active unit). Reads, never writes."""
    with gc_paused():
        ctx = Context(active_units() if units is None else units, now=now)
        verdicts: dict[tuple[int, str], Verdict] = {}
        if not ctx.units:
            return verdicts
        wanted = set(only) if only is not None else None
        for code, rule in rules().items():
            if wanted is not None and code not in wanted:
                continue
            for unit_id, verdict in rule(ctx).items():
                verdicts[(unit_id, code)] = verdict
        return verdicts


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for one evaluation. It loads some 100,000 small rows, none of
    them in a reference cycle (reference counting frees them); left on, the collector walks the whole heap
    again and again while they are created, a third of the time at city scale (bench/compliance.py)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass(frozen=True)
class RefreshStats:
    units: int
    results: int
    changed: int
    duration_ms: int


def refresh(units: Any = None, *, now: datetime | None = None) -> RefreshStats:
    """Evaluate and store: write only the verdicts that changed; drop those of inactive units."""
    from huxiao.compliance.models import Result, Run

    started = _time.perf_counter()
    now = now or timezone.now()
    scope = Unit.objects.all() if units is None else units
    with transaction.atomic():
        ctx_units = scope.filter(active=True)
        verdicts = evaluate(ctx_units, now=now)
        old_rows = Result.objects.filter(unit__in=scope.order_by()).values_list(
            "unit_id", "rule", "status", "evidence", "since")
        existing = {(r[0], r[1]): (r[2], r[3], r[4]) for r in old_rows}
        rows = []
        for (unit_id, code), verdict in verdicts.items():
            old = existing.get((unit_id, code))
            if old is not None and old[0] == verdict.status and old[1] == verdict.evidence:
                continue
            if verdict.since is not None:
                since = timezone.make_aware(datetime.combine(verdict.since, time.min))
            elif old is not None and old[0] == verdict.status:
                since = old[2]
            else:
                since = now
            rows.append(Result(unit_id=unit_id, rule=code, status=verdict.status, evidence=verdict.evidence,
                               since=since, changed_at=now))
        Result.objects.bulk_create(rows, batch_size=1000, update_conflicts=True, unique_fields=["unit", "rule"],
                                   update_fields=["status", "evidence", "since", "changed_at"])
        gone = [key for key in existing if key not in verdicts]
        if gone:
            by_unit: dict[int, list[str]] = defaultdict(list)
            for unit_id, code in gone:
                by_unit[unit_id].append(code)
            from django.db.models import Q

            condition = Q(pk__in=[])
            for unit_id, codes in by_unit.items():
                condition |= Q(unit_id=unit_id, rule__in=codes)
            Result.objects.filter(condition).delete()
        duration = int((_time.perf_counter() - started) * 1000)
        subdistricts = set(scope.order_by().values_list("subdistrict_id", flat=True).distinct()[:2])
        Run.objects.create(subdistrict_id=subdistricts.pop() if len(subdistricts) == 1 else None,
                           started_at=now, duration_ms=duration, units=len({k[0] for k in verdicts}),
                           changed=len(rows), full=units is None)
    return RefreshStats(units=len({k[0] for k in verdicts}), results=len(verdicts), changed=len(rows),
                        duration_ms=duration)


def refresh_unit(unit_id: int) -> RefreshStats:
    """Called by the services that change a unit's records, inside their transaction."""
    return refresh(Unit.objects.filter(pk=unit_id))


def count_by_rule(verdicts: dict[tuple[int, str], Verdict], units: Iterable[Any]) -> dict[
        tuple[int, str], Counter[str]]:
    """(sub-district, rule) → Counter of statuses; rule ``"*"`` counts units failing at least one rule."""
    subdistrict = {u.id: u.subdistrict_id for u in units}
    counts: dict[tuple[int, str], Counter[str]] = defaultdict(Counter)
    worst: dict[int, str] = {}
    for (unit_id, code), verdict in verdicts.items():
        counts[(subdistrict[unit_id], code)][verdict.status] += 1
        if verdict.status == FAIL or (verdict.status == WARN and worst.get(unit_id) != FAIL):
            worst[unit_id] = verdict.status
        else:
            worst.setdefault(unit_id, PASS)
    for unit_id, status in worst.items():
        counts[(subdistrict[unit_id], "*")][status] += 1
    return counts


def snapshot_take(day: date | None = None, *, recompute: bool = False) -> int:
    """Store the day's counts for trends. ``recompute`` evaluates the rules as of the end of ``day``
    (used to backfill the demo); otherwise the stored verdicts are counted."""
    from huxiao.compliance.models import Result, Snapshot

    day = day or timezone.localdate()
    units = active_units()
    rows = [UnitRow(**row) for row in units.order_by().values(*UNIT_FIELDS)]
    if recompute:
        end = timezone.make_aware(datetime.combine(day, time(23, 59)))
        verdicts = evaluate(units, now=end)
    else:
        verdicts = {
            (unit_id, code): Verdict(status)
            for unit_id, code, status in Result.objects.filter(unit__active=True).values_list(
                "unit_id", "rule", "status")
        }
    counts = count_by_rule(verdicts, rows)
    with transaction.atomic():
        for (sd, code), counter in counts.items():
            Snapshot.objects.update_or_create(day=day, subdistrict_id=sd, rule=code, defaults={
                "passed": counter[PASS], "warned": counter[WARN], "failed": counter[FAIL]})
    return len(counts)
