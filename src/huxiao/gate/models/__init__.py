"""F-GATE models: the timetable (F-GATE-3), visitors (F-GATE-1), children and pick-ups (F-GATE-2), guard
duty and patrol rounds (F-GATE-4)."""

from huxiao.gate.models.pickup import (
    CREDENTIAL_PREFIX,
    Child,
    Delegation,
    PickupPerson,
    RefusedPickup,
    Release,
    ReleaseMethod,
    SchoolClass,
    new_code,
    new_credential,
)
from huxiao.gate.models.timetable import ISO_WEEKDAYS, Holiday, TimetableWindow, WindowKind
from huxiao.gate.models.visitors import BlockListEntry, IdType, Visit, VisitStatus

__all__ = [
    "CREDENTIAL_PREFIX",
    "ISO_WEEKDAYS",
    "BlockListEntry",
    "Child",
    "Delegation",
    "Holiday",
    "IdType",
    "PickupPerson",
    "RefusedPickup",
    "Release",
    "ReleaseMethod",
    "SchoolClass",
    "TimetableWindow",
    "Visit",
    "VisitStatus",
    "WindowKind",
    "new_code",
    "new_credential",
]
