from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    name = "huxiao.risk"
    label = "risk"
    verbose_name = _("High-risk persons and disputes")

    def ready(self) -> None:
        from huxiao.risk import permissions  # noqa: F401  (rules)
