"""What the core tells the apps above it, without importing them (issue #12: ``core`` imports no domain app).

``unit_changed`` is sent inside the transaction that created or changed a unit (its kind, its pupils, its
police station): ``compliance`` re-evaluates the unit there, so its verdicts commit with it.
"""

from django.dispatch import Signal

unit_changed = Signal()  # kwargs: unit_id
