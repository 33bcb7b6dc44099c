"""The API's filter backend (``REST_FRAMEWORK["DEFAULT_FILTER_BACKENDS"]``), in a module of its own: DRF imports
it while its settings load, before ``huxiao.core.api`` can be."""

from __future__ import annotations

from typing import Any, ClassVar

from django_filters.rest_framework import DjangoFilterBackend


class FilterBackend(DjangoFilterBackend):  # type: ignore[misc]  # django-filter ships no types
    """django-filter's backend, with the FilterSet of a view's ``filterset_fields`` built once per view and
    model: django-filter builds that class again on every request (a new class, its filters from the model's
    fields), which was a third of the time of a 404 from the API."""

    _classes: ClassVar[dict[tuple[type, type, str], Any]] = {}

    def get_filterset_class(self, view: Any, queryset: Any = None) -> Any:
        fields = getattr(view, "filterset_fields", None)
        if getattr(view, "filterset_class", None) or not fields or queryset is None:
            return super().get_filterset_class(view, queryset)
        key = (type(view), queryset.model, repr(fields))
        found = self._classes.get(key)
        if found is None:
            found = self._classes[key] = super().get_filterset_class(view, queryset)
        return found
