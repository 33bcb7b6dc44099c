from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from huxiao.core.signals import unit_changed


class SurroundingsConfig(AppConfig):
    name = "huxiao.surroundings"
    label = "surroundings"
    verbose_name = _("Surroundings")

    def ready(self) -> None:
        from huxiao.surroundings import permissions  # noqa: F401  (rules)

        unit_changed.connect(_unit_changed, dispatch_uid="surroundings.unit_changed")


def _unit_changed(*, unit_id: int, **kwargs: Any) -> None:
    """A unit moved, was drawn, was added or closed: the premises around it are measured again, in the unit's
    own transaction (and their units' verdicts with them)."""
    from huxiao.surroundings.services import premises_relocate

    premises_relocate(unit_id=unit_id)
