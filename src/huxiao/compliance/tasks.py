"""F-COMP jobs: re-evaluate every ten minutes (time alone changes verdicts), snapshot once a day."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from huxiao.compliance import engine

logger = logging.getLogger("huxiao.compliance")


@db_periodic_task(crontab(minute="*/10"))
def compliance_refresh() -> None:
    stats = engine.refresh()
    logger.info("compliance refresh: %s units, %s changed, %s ms", stats.units, stats.changed, stats.duration_ms)


@db_periodic_task(crontab(hour="23", minute="55"))
def compliance_snapshot() -> None:
    engine.refresh()
    rows = engine.snapshot_take()
    logger.info("compliance snapshot: %s rows", rows)
