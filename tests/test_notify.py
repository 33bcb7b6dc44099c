"""F-NOTIFY, F-I18N: a notification reads in the language its reader is viewing now."""

from __future__ import annotations

from django.test import Client
from django.utils.translation import gettext as _

from huxiao.notify.models import Level
from huxiao.notify.services import notify
from tests.factories import Cast


def test_an_alert_reads_in_the_language_the_reader_switched_to(cast: Cast) -> None:
    admin = cast.users["unit_admin"]
    unit_name = cast.unit_a.name
    # Given an alarm raised while the unit admin read the pages in Chinese (the default),
    notify(users=[admin], kind="alarm.raised", level=Level.ALERT, unit=cast.unit_a,
           title=lambda: _("ALARM at %(unit)s") % {"unit": unit_name},
           body=lambda: _("No one acknowledged it within %(s)s seconds.") % {"s": 60})
    client = Client()
    client.force_login(admin)
    assert f"{unit_name} 报警" in client.get("/notifications/").content.decode()

    # when they switch the pages to English,
    client.post("/i18n/setlang/", {"language": "en", "next": "/notifications/"})

    # then the notification centre, the bell's alert strip and the API read in English,
    for url in ("/notifications/", "/notifications/live/", "/api/v1/notifications/"):
        response = client.get(url)
        text = str(response.json()) if url.startswith("/api/") else response.content.decode()
        assert f"ALARM at {unit_name}" in text and "No one acknowledged it within 60 seconds." in text, url
        assert "报警" not in text.replace(unit_name, ""), url
    # and in Chinese again once they switch back.
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/notifications/"})
    assert "60 秒内无人接警。" in client.get("/notifications/live/").content.decode()


def test_the_language_switch_is_remembered_for_what_goes_out_by_e_mail_and_sms(cast: Cast) -> None:
    from auditlog.models import LogEntry

    admin = cast.users["unit_admin"]
    client = Client()
    client.force_login(admin)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    admin.refresh_from_db()
    assert admin.preferred_language == "en"
    assert LogEntry.objects.get_for_object(admin).filter(changes__icontains="preferred_language").exists()
    unit_name = cast.unit_a.name
    row, = notify(users=[admin], kind="alarm.raised", level=Level.ALERT, unit=cast.unit_a,
                  title=lambda: _("ALARM at %(unit)s") % {"unit": unit_name})
    assert row.title == f"ALARM at {unit_name}"  # the text e-mail and SMS send
