from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "huxiao.compliance"
    label = "compliance"
    verbose_name = _("Compliance")

    def ready(self) -> None:
        from huxiao.compliance import engine, permissions  # noqa: F401  (rules)

        engine.rules()  # import every app's rules.py now, so the registry is complete before a request
