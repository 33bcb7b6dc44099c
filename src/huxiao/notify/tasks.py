"""F-NOTIFY jobs: alerts by e-mail and SMS, off the request that raised them."""

from huey.contrib.djhuey import db_task

from huxiao.notify import services


@db_task()
def deliver_alerts(ids: list[int]) -> int:
    return services.deliver_alerts(ids)
