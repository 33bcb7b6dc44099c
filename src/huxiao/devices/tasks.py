"""F-TECH-2 jobs: devices whose heartbeat stopped."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from huxiao.devices import services


@db_periodic_task(crontab(minute="*"))
def devices_offline_check() -> int:
    """Devices whose heartbeat stopped are marked offline, and their unit and police are told once."""
    return services.devices_offline_check()
