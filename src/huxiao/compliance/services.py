"""Writes of the compliance engine: a sub-district's rule parameters (F-COMP)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from huxiao.compliance import engine
from huxiao.compliance.models import RuleParameter
from huxiao.compliance.registry import PARAMS
from huxiao.core.models import Organisation, Unit, User


@transaction.atomic
def parameters_update(*, actor: User, subdistrict: Organisation, values: dict[str, Any]) -> dict[str, Any]:
    """Set some parameters (the others keep their values); a value equal to the default removes the
    override. Every value is checked before anything is written; then the sub-district is re-evaluated."""
    if not actor.has_perm("compliance.change_parameters", subdistrict):
        raise PermissionDenied
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for key, value in values.items():
        spec = PARAMS.get(key)
        if spec is None:
            errors[key] = "Unknown parameter."
            continue
        try:
            cleaned[key] = spec.clean(value)
        except ValueError as exc:
            errors[key] = str(exc)
    if errors:
        raise ValidationError(errors)
    for key, value in cleaned.items():
        if value == PARAMS[key].default:
            for row in RuleParameter.objects.filter(subdistrict=subdistrict, key=key):
                row.delete()  # one by one: each removal is audited
        else:
            RuleParameter.objects.update_or_create(subdistrict=subdistrict, key=key, defaults={"value": value})
    engine.refresh(Unit.objects.filter(subdistrict=subdistrict))
    return parameters_of(subdistrict)


def parameters_of(subdistrict: Organisation) -> dict[str, Any]:
    overrides = dict(RuleParameter.objects.filter(subdistrict=subdistrict).values_list("key", "value"))
    return {key: overrides.get(key, spec.default) for key, spec in PARAMS.items()}
