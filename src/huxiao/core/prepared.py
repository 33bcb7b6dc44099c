"""Querysets compiled once per process, for the statements every request runs (the token lookup, the gate).

Django compiles a queryset's SQL on every evaluation: for a ``select_related`` lookup that is most of a
millisecond of Python, several times the database's own time. ``Prepared`` compiles the same queryset,
built by the same code (scoping included), once per *shape*, with marker values where the caller's values
go; later calls run the cached SQL with the real values and turn rows into model instances exactly as
Django's ``ModelIterable`` does (converters, ``from_db``, related populators).

The caller names the shape with ``key``: everything the builder reads other than the marked values (for a
scoped queryset, ``scoping.scope_key(user)``). A value the builder reads but the key does not name would
be frozen into the SQL, so keep builders small and their inputs explicit.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from django.core.exceptions import EmptyResultSet
from django.db import connections, models
from django.db.models.query import get_related_populators

M = TypeVar("M", bound=models.Model)

_INT_MARK = -7_351_000_000_000


@dataclass(frozen=True)
class _Slot:
    name: str


@dataclass
class _Compiled:
    sql: str
    params: tuple[Any, ...]  # constants, and _Slot where a caller's value goes
    adapters: dict[str, Callable[[Any], Any]]
    compiler: Any
    model_cls: type[models.Model]
    init_list: list[str]
    start: int
    end: int
    populators: list[Any]
    converters: dict[int, Any] | None = None  # the compiler's, worked out once (Django does it per query)
    empty: bool = False  # the filter can match nothing (``pk__in=[]``): no SQL to run


def _marker(name: str, index: int, value: Any, ops: Any) -> tuple[Any, Callable[[Any], Any]]:
    """A value nobody stores, of the caller's value's type, and how the database layer adapts such a value."""
    if isinstance(value, bool):
        raise TypeError("Prepared: mark ints, strings or datetimes, not booleans")
    if isinstance(value, int):
        return _INT_MARK - index, int
    if isinstance(value, str):
        return f"\x1fprepared:{name}\x1f", str
    if isinstance(value, datetime):
        return datetime(1, 1, 1, 0, 0, 0, index + 1, tzinfo=UTC), ops.adapt_datetimefield_value
    raise TypeError(f"Prepared: cannot mark a {type(value).__name__}")


class Prepared(Generic[M]):
    """``Prepared(lambda child: Child.objects.filter(pk=child))`` then ``.first(key, child=7)``."""

    def __init__(self, build: Callable[..., models.QuerySet[M]], maxsize: int = 1024) -> None:
        self.build = build
        self.maxsize = maxsize
        self._cache: OrderedDict[tuple[Hashable, ...], _Compiled] = OrderedDict()
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()

    def _compile(self, using: str, values: dict[str, Any], args: tuple[Any, ...]) -> _Compiled:
        ops = connections[using].ops
        markers: dict[str, Any] = {}
        adapters: dict[str, Callable[[Any], Any]] = {}
        for index, (name, value) in enumerate(sorted(values.items())):
            markers[name], adapters[name] = _marker(name, index, value, ops)
        queryset = self.build(*args, **markers)
        compiler = queryset.query.get_compiler(using=using)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return _Compiled(sql="", params=(), adapters={}, compiler=None, model_cls=queryset.model, init_list=[],
                             start=0, end=0, populators=[], empty=True)
        by_value = {adapters[name](marker): name for name, marker in markers.items()}
        template = tuple(_Slot(by_value[p]) if _hashable(p) and p in by_value else p for p in params)
        missing = set(markers) - {p.name for p in template if isinstance(p, _Slot)}
        if missing:  # a marked value the SQL does not carry as a parameter: not safe to reuse
            raise ValueError(f"Prepared: {sorted(missing)} did not reach the SQL as parameters")
        klass_info, select = compiler.klass_info, compiler.select
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        return _Compiled(sql=sql, params=template, adapters=adapters, compiler=compiler,
                         model_cls=klass_info["model"],
                         init_list=[f[0].target.attname for f in select[start:end]], start=start, end=end,
                         populators=get_related_populators(klass_info, select, using),  # type: ignore[call-arg]
                         converters=compiler.get_converters([s[0] for s in select[:compiler.col_count]]))

    def all(self, key: Hashable, *args: Any, using: str = "default", **values: Any) -> list[M]:
        """Rows of the queryset ``build(*args, **values)``; ``args`` are read at compile time only, so
        ``key`` must name them."""
        cache_key = (using, key, tuple(sorted((k, type(v)) for k, v in values.items())))
        compiled = self._cache.get(cache_key)
        if compiled is None:
            compiled = self._compile(using, values, args)
            with self._lock:
                self._cache[cache_key] = compiled
                if len(self._cache) > self.maxsize:
                    self._cache.popitem(last=False)
        if compiled.empty:
            return []
        params = [compiled.adapters[p.name](values[p.name]) if isinstance(p, _Slot) else p
                  for p in compiled.params]
        with connections[using].cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        objects: list[M] = []
        if compiled.converters:
            rows = compiled.compiler.apply_converters(rows, compiled.converters)
        for row in rows:
            obj = compiled.model_cls.from_db(using, compiled.init_list, row[compiled.start:compiled.end])
            for populator in compiled.populators:
                populator.populate(row, obj)
            objects.append(obj)  # type: ignore[arg-type]
        return objects

    def first(self, key: Hashable, *args: Any, using: str = "default", **values: Any) -> M | None:
        found = self.all(key, *args, using=using, **values)
        return found[0] if found else None


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True
