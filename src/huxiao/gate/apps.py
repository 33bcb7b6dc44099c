from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GateConfig(AppConfig):
    name = "huxiao.gate"
    label = "gate"
    verbose_name = _("Gate and campus")

    def ready(self) -> None:
        from huxiao.gate import permissions  # noqa: F401  (rules)
