"""F-GATE jobs: every minute, the dismissal windows that just closed are checked for children still waiting."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from huxiao.gate.services.pickup import dismissals_close


@db_periodic_task(crontab(minute="*"))
def dismissal_watch() -> None:
    dismissals_close()
