"""F-TECH-3 jobs: the escalation check, scheduled when an alarm is raised."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from huxiao.alarms import services


@db_task()
def alarm_escalate(alarm_id: int) -> bool:
    return services.alarm_escalate(alarm_id)


@db_periodic_task(crontab(minute="*"))
def devices_offline_check() -> int:
    """F-TECH-2: devices whose heartbeat stopped are marked offline and alerted."""
    return services.devices_offline_check()
