from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForceConfig(AppConfig):
    name = "huxiao.force"
    label = "force"
    verbose_name = _("Security force")

    def ready(self) -> None:
        from huxiao.force import permissions  # noqa: F401  (rules)
