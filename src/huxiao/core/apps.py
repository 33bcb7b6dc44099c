from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "huxiao.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from huxiao.core import audit, auth, permissions, schema  # noqa: F401  (signal receivers, rules, API schema)

        audit.register_all()
