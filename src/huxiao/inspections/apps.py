from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "huxiao.inspections"
    label = "inspections"
    verbose_name = _("Inspections")

    def ready(self) -> None:
        from huxiao.core.models import Organisation
        from huxiao.inspections import permissions  # noqa: F401  (rules)

        post_save.connect(_ship_checklists, sender=Organisation, dispatch_uid="inspections.ship_checklists")


def _ship_checklists(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    """A new sub-district starts with Huxiao's checklists (F-PREV-1)."""
    from huxiao.core.models import OrgType
    from huxiao.inspections.services import checklists_ship

    if created and not raw and instance.type == OrgType.SUBDISTRICT:
        checklists_ship(subdistrict=instance)
