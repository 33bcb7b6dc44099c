"""F-GATE models: visitors (F-GATE-1), children and pick-ups (F-GATE-2), guard
duty and patrol rounds (F-GATE-4)."""

from huxiao.gate.models.duty import Checkpoint, Handover, PatrolRound, RoundScan, RoundStatus, Shift
from huxiao.gate.models.pickup import (
    CREDENTIAL_PREFIX,
    Child,
    Delegation,
    DismissalClosed,
    PickupPerson,
    RefusedPickup,
    Release,
    ReleaseMethod,
    SchoolClass,
    new_code,
    new_credential,
)
from huxiao.gate.models.visitors import BlockListEntry, IdType, Visit, VisitStatus

__all__ = [
    "CREDENTIAL_PREFIX",
    "BlockListEntry",
    "Checkpoint",
    "Child",
    "Delegation",
    "DismissalClosed",
    "Handover",
    "IdType",
    "PatrolRound",
    "PickupPerson",
    "RefusedPickup",
    "Release",
    "ReleaseMethod",
    "RoundScan",
    "RoundStatus",
    "SchoolClass",
    "Shift",
    "Visit",
    "VisitStatus",
    "new_code",
    "new_credential",
]
