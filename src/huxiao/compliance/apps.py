from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from huxiao.core.signals import unit_changed


class ComplianceConfig(AppConfig):
    name = "huxiao.compliance"
    label = "compliance"
    verbose_name = _("Compliance")

    def ready(self) -> None:
        from huxiao.compliance import engine, permissions  # noqa: F401  (rules)

        engine.rules()  # import every app's rules.py now, so the registry is complete before a request
        unit_changed.connect(_unit_changed, dispatch_uid="compliance.unit_changed")


def _unit_changed(*, unit_id: int, **kwargs: Any) -> None:
    from huxiao.compliance.engine import refresh_unit

    refresh_unit(unit_id)
