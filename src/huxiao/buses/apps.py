from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BusesConfig(AppConfig):
    name = "huxiao.buses"
    label = "buses"
    verbose_name = _("School buses")

    def ready(self) -> None:
        from huxiao.buses import permissions  # noqa: F401  (rules)
