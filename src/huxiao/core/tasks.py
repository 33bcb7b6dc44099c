"""Periodic jobs of the core (huey)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from huxiao.core import audit


@db_periodic_task(crontab(hour="3", minute="17"))  # type: ignore[untyped-decorator]  # huey is not annotated
def purge_audit_log() -> int:
    """F-AUDIT: keep the log for the retention period (≥ 180 days), then drop it."""
    return audit.purge_expired()


@db_periodic_task(crontab(minute="41"))  # type: ignore[untyped-decorator]  # huey is not annotated
def purge_idempotency_keys() -> int:
    """Gate retries come within minutes: keys older than ``HUXIAO_IDEMPOTENCY_HOURS`` are forgotten."""
    from huxiao.core import idempotency

    return idempotency.purge_expired()
