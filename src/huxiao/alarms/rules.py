"""F-TECH-3 parameters. The alarms have no rule of their own: what the notice requires of the devices is
``devices.rules``; an alarm's response is measured on the console and in the trend."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from huxiao.compliance.registry import param

ACK_SECONDS = param("alarms.ack_seconds", 60, kind="int", minimum=10, maximum=3600, source=_("local practice"),
                    label=_("Alarm: seconds to acknowledge before it escalates"))
