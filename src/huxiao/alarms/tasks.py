"""F-TECH-3 jobs: the escalation check, scheduled when an alarm is raised."""

from huey.contrib.djhuey import db_task

from huxiao.alarms import services


@db_task()
def alarm_escalate(alarm_id: int) -> bool:
    return services.alarm_escalate(alarm_id)
