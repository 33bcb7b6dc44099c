from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlarmsConfig(AppConfig):
    name = "huxiao.alarms"
    label = "alarms"
    verbose_name = _("Alarms")

    def ready(self) -> None:
        from huxiao.alarms import permissions  # noqa: F401  (rules)
