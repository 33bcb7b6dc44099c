"""F-PREV-2 jobs: overdue hazards go up to the sub-district."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from huxiao.hazards import services


@db_periodic_task(crontab(minute="5"))
def hazards_escalate() -> int:
    """Hourly: assigned hazards past their deadline are escalated once each."""
    return services.hazards_escalate()
