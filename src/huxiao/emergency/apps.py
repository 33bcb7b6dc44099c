from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmergencyConfig(AppConfig):
    name = "huxiao.emergency"
    label = "emergency"
    verbose_name = _("Emergency")

    def ready(self) -> None:
        from huxiao.emergency import permissions  # noqa: F401  (rules)
