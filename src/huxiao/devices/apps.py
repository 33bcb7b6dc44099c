from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevicesConfig(AppConfig):
    name = "huxiao.devices"
    label = "devices"
    verbose_name = _("Devices")

    def ready(self) -> None:
        from huxiao.devices import permissions  # noqa: F401  (rules)
