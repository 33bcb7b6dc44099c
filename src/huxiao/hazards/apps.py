from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HazardsConfig(AppConfig):
    name = "huxiao.hazards"
    label = "hazards"
    verbose_name = _("Hazards")

    def ready(self) -> None:
        from huxiao.hazards import permissions  # noqa: F401  (rules)
