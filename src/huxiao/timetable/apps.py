from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TimetableConfig(AppConfig):
    name = "huxiao.timetable"
    label = "timetable"
    verbose_name = _("Timetable")

    def ready(self) -> None:
        from huxiao.timetable import permissions  # noqa: F401  (rules)
