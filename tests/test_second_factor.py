"""F-AUTH, issue #14: the roles that see the high-risk ledger (police, governance) log in with a second factor.

The story: the password alone opens nothing but the second factor's pages (the API answers 403
``otp_required``); a first login sets up an authenticator app from a QR code and hands out ten recovery codes,
each good once; a wrong code is refused, counted and throttled; the token endpoint wants ``otp``; every step is
in the audit log, and no secret is. A guard or a unit admin never meets any of it.
"""

from __future__ import annotations

import base64
import re
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from huxiao.core import services
from huxiao.core.models import SECOND_FACTOR_ROLES, Role, User
from tests.conftest import totp_code
from tests.factories import PASSWORD, Cast, UserFactory

TOKEN = "/api/v1/auth/token/"


def password_only(username: str) -> Client:
    """A browser that has typed the right password, and nothing more."""
    client = Client()
    response = client.post("/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def new_officer(cast: Cast, username: str = "new-officer") -> User:
    """A police officer with no authenticator app yet (the cast's have one)."""
    return UserFactory(username=username, role=Role.POLICE, organisation=cast.ps)


def enrolled(user: User) -> list[str]:
    """``user`` set up an authenticator app; its recovery codes."""
    services.second_factor_enrol(user=user)
    _device, codes = services.second_factor_confirm(user=user, code=totp_code_of_unconfirmed(user))
    return codes


def totp_code_of_unconfirmed(user: User) -> str:
    """What the app shows once the QR code is scanned (the device is not confirmed yet)."""
    from django_otp.oath import totp

    device = TOTPDevice.objects.get(user=user, confirmed=False)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def forgive_failures(user: User) -> None:
    """The throttling's wait has passed (1 s after one failure): the test does not sleep."""
    for model in (TOTPDevice, StaticDevice):
        model.objects.filter(user=user).update(throttling_failure_timestamp=timezone.now() - timedelta(hours=1))


def test_the_roles_with_a_second_factor_are_named_once() -> None:
    assert {Role.POLICE, Role.GOVERNANCE} == SECOND_FACTOR_ROLES


@pytest.mark.parametrize("role", ["police", "governance"])
def test_the_password_alone_leads_every_page_to_the_second_factor(cast: Cast, role: str) -> None:
    user = cast.users[role]
    client = Client()
    login = client.post("/login/?next=/units/", {"username": user.username, "password": PASSWORD,
                                                  "next": "/units/"})
    assert login["Location"] == "/login/otp/?next=%2Funits%2F"
    for page in ("/", "/units/", "/compliance/", "/alarms/", "/audit/", f"/units/{cast.unit_a.pk}/"):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith("/login/otp/?next=")
    assert client.get("/units/?q=KA")["Location"] == "/login/otp/?next=%2Funits%2F%3Fq%3DKA"  # next kept whole
    # htmx fragments (the bell polls every few seconds) send the whole window to the second factor.
    polled = client.get("/units/", HTTP_HX_REQUEST="true")
    assert polled.status_code == 204 and polled["HX-Redirect"].startswith("/login/otp/")
    # The second factor's page itself, the language switch and static files stay reachable.
    page = client.get("/login/otp/?next=/units/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="code"' in html and 'value="/units/"' in html
    assert 'data-testid="account-menu"' not in html and "notifications" not in html  # no navigation yet
    assert client.get("/static/huxiao/app.css").status_code == 200
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/login/otp/"}).status_code == 302
    # The API, by the session: 403 in the house's shape.
    for path in ("/api/v1/me/", "/api/v1/units/", f"/api/v1/units/{cast.unit_a.pk}/"):
        response = client.get(path)
        assert response.status_code == 403, path
        body = response.json()
        assert body["code"] == "otp_required" and body["detail"] and set(body) == {"code", "detail"}
    assert client.post("/api/v1/alarms/", {"unit": cast.unit_a.pk}, content_type="application/json").json()[
        "code"] == "otp_required"
    # Logging out still works.
    assert client.post("/logout/").status_code == 302
    assert client.get("/units/")["Location"].startswith("/login/?next=")


def test_a_wrong_code_is_refused_and_counted_the_right_one_lets_in(cast: Cast) -> None:
    police = cast.users["police"]
    client = password_only(police.username)
    wrong = client.post("/login/otp/", {"code": "000000" if totp_code(police) != "000000" else "111111",
                                        "next": "/units/"})
    assert wrong.status_code == 400
    assert "That code is not right" in wrong.content.decode() or "验证码不对" in wrong.content.decode()
    assert 'data-testid="otp-error"' in wrong.content.decode()
    device = TOTPDevice.objects.get(user=police, confirmed=True)
    assert device.throttling_failure_count == 1
    assert client.get("/units/").status_code == 302  # still not in
    # At once, even the right code waits out the throttling: that is what makes guessing slow.
    throttled = client.post("/login/otp/", {"code": totp_code(police)})
    assert throttled.status_code == 429
    forgive_failures(police)
    key_before = client.session.session_key
    right = client.post("/login/otp/", {"code": totp_code(police), "next": "/units/"})
    assert right.status_code == 302 and right["Location"] == "/units/"
    assert client.session.session_key != key_before  # a new session key with the new privilege
    assert client.get("/units/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 200
    device.refresh_from_db()
    assert device.throttling_failure_count == 0
    # The same code a second time is refused (a code works once).
    again = password_only(police.username)
    used = services.normalise_code(right.wsgi_request.POST["code"])
    assert again.post("/login/otp/", {"code": used}).status_code == 400


def test_a_recovery_code_works_once(cast: Cast) -> None:
    officer = new_officer(cast)
    codes = enrolled(officer)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}", code) for code in codes)
    client = password_only(officer.username)
    response = client.post("/login/otp/", {"code": codes[3].upper(), "next": "/"}, follow=True)
    assert response.status_code == 200 and response.redirect_chain[-1][0] == "/"
    text = response.content.decode()
    assert "9" in text and ("recovery code" in text or "恢复码" in text)  # how many are left
    assert StaticToken.objects.filter(device__user=officer).count() == 9
    client.post("/logout/")
    forgive_failures(officer)
    second = password_only(officer.username)
    assert second.post("/login/otp/", {"code": codes[3]}).status_code == 400
    forgive_failures(officer)
    assert second.post("/login/otp/", {"code": codes[4]}).status_code == 302


def test_a_first_login_enrols_by_qr_code_and_hands_out_ten_recovery_codes(cast: Cast) -> None:
    officer = new_officer(cast)
    client = password_only(officer.username)
    assert client.get("/login/otp/?next=/units/")["Location"] == "/login/otp/enrol/?next=%2Funits%2F"
    page = client.get("/login/otp/enrol/?next=/units/")
    assert page.status_code == 200 and page["Cache-Control"].startswith("max-age=0")
    html = page.content.decode()
    assert 'src="data:image/svg+xml' in html and 'alt="' in html  # the QR code, as an image the CSP allows
    assert "<script" not in html.split("<main")[1].split("</main>")[0]  # no inline script
    shown = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', html)
    assert shown is not None
    device = TOTPDevice.objects.get(user=officer)
    assert not device.confirmed
    assert base64.b32decode(shown.group(1).replace(" ", "")) == device.bin_key
    # A reload shows the same secret (the app may already hold it); no second device.
    assert shown.group(1) in client.get("/login/otp/enrol/").content.decode()
    assert TOTPDevice.objects.filter(user=officer).count() == 1
    # Not yet in: the pages still lead here.
    assert client.get("/units/").status_code == 302
    wrong = client.post("/login/otp/enrol/", {"code": "12345", "next": "/units/"})
    assert wrong.status_code == 400 and 'data-testid="otp-error"' in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed and device.throttling_failure_count == 1
    forgive_failures(officer)
    confirmed = client.post("/login/otp/enrol/", {"code": totp_code_of_unconfirmed(officer), "next": "/units/"})
    assert confirmed["Location"] == "/login/otp/recovery-codes/?next=%2Funits%2F"
    device.refresh_from_db()
    assert device.confirmed
    sheet = client.get(confirmed["Location"])
    codes = re.findall(r"<li class=\"col\">([a-z2-7-]+)</li>", sheet.content.decode())
    assert len(codes) == 10
    assert StaticToken.objects.filter(device__user=officer).count() == 10
    stored = set(StaticToken.objects.filter(device__user=officer).values_list("token", flat=True))
    assert not {services.normalise_code(c) for c in codes} & stored  # kept as digests only
    assert stored == {services.recovery_digest(c) for c in codes}
    assert client.get(confirmed["Location"])["Location"] == "/units/"  # shown once
    assert client.get("/units/").status_code == 200
    # Enrolled: the page does not offer a new secret to someone with the password only.
    other = password_only(officer.username)
    assert other.get("/login/otp/enrol/")["Location"].startswith("/login/otp/?next=")


def test_the_token_endpoint_wants_the_code(cast: Cast) -> None:
    police = cast.users["police"]
    api = APIClient()
    missing = api.post(TOKEN, {"username": police.username, "password": PASSWORD}, format="json")
    assert missing.status_code == 401 and missing.json()["code"] == "otp_required"
    assert set(missing.json()) == {"code", "detail"}
    wrong = api.post(TOKEN, {"username": police.username, "password": PASSWORD, "otp": "12345"}, format="json")
    assert wrong.status_code == 401 and wrong.json()["code"] == "invalid_otp"
    assert TOTPDevice.objects.get(user=police, confirmed=True).throttling_failure_count == 1
    throttled = api.post(TOKEN, {"username": police.username, "password": PASSWORD, "otp": totp_code(police)},
                         format="json")
    assert throttled.status_code == 429 and throttled.json()["code"] == "otp_throttled"
    assert int(throttled["Retry-After"]) >= 1
    forgive_failures(police)
    right = api.post(TOKEN, {"username": police.username, "password": PASSWORD, "otp": totp_code(police)},
                     format="json")
    assert right.status_code == 200, right.json()
    # The token is verified: its requests are never sent to the second factor, even beside a half-done session.
    client = password_only(police.username)
    assert client.get("/api/v1/me/").status_code == 403
    me = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {right.json()['token']}")
    assert me.status_code == 200
    # A wrong password is still the password's error, and an officer without an app is told to set one up.
    assert api.post(TOKEN, {"username": police.username, "password": "nope", "otp": "123456"},
                    format="json").json()["code"] == "invalid_credentials"
    officer = new_officer(cast)
    assert api.post(TOKEN, {"username": officer.username, "password": PASSWORD, "otp": "123456"},
                    format="json").json()["code"] == "otp_required"


@pytest.mark.parametrize("role", ["guard", "unit_admin", "admin", "education"])
def test_other_roles_are_never_asked(cast: Cast, role: str) -> None:
    user = cast.users[role]
    client = Client()
    assert client.post("/login/", {"username": user.username, "password": PASSWORD})["Location"] == "/"
    assert client.get("/units/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 200
    assert client.get("/login/otp/?next=/units/")["Location"] == "/units/"
    assert client.get("/login/otp/enrol/")["Location"] == "/"
    token = APIClient().post(TOKEN, {"username": user.username, "password": PASSWORD}, format="json")
    assert token.status_code == 200
    assert not TOTPDevice.objects.filter(user=user).exists()
    with pytest.raises(PermissionDenied):
        services.second_factor_enrol(user=user)


def test_every_step_is_audited_and_no_secret_is(cast: Cast) -> None:
    officer = new_officer(cast)
    since = LogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    client = password_only(officer.username)
    client.get("/login/otp/enrol/")  # enrolment: a new device
    device = TOTPDevice.objects.get(user=officer)
    client.post("/login/otp/enrol/", {"code": "000000x"})  # a failed code
    forgive_failures(officer)
    client.post("/login/otp/enrol/", {"code": totp_code_of_unconfirmed(officer)})  # confirmation
    codes = re.findall(r"<li class=\"col\">([a-z2-7-]+)</li>",
                       client.get("/login/otp/recovery-codes/").content.decode())
    client.post("/logout/")
    later = password_only(officer.username)
    later.post("/login/otp/", {"code": codes[0]})  # a recovery code used
    assert later.get("/units/").status_code == 200

    entries = list(LogEntry.objects.filter(pk__gt=since).order_by("pk"))
    totp_type = ContentType.objects.get_for_model(TOTPDevice)
    static_type = ContentType.objects.get_for_model(StaticDevice)
    on_device = [e for e in entries if e.content_type_id == totp_type.pk and e.object_pk == str(device.pk)]
    assert [e.action for e in on_device][:1] == [LogEntry.Action.CREATE]  # the enrolment
    assert any("throttling_failure_count" in e.changes_dict for e in on_device)  # the failed code
    assert any(e.changes_dict.get("confirmed") == ["False", "True"] for e in on_device)  # the confirmation
    on_codes = [e for e in entries if e.content_type_id == static_type.pk]
    assert [e.action for e in on_codes][:1] == [LogEntry.Action.CREATE]  # the recovery codes issued
    assert any("last_used_at" in e.changes_dict for e in on_codes if e.action == LogEntry.Action.UPDATE)  # one used
    assert not [e for e in entries if e.content_type_id == ContentType.objects.get_for_model(StaticToken).pk]
    for entry in on_device + on_codes:
        assert entry.actor_id == officer.pk
        assert entry.additional_data == {"subdistrict": cast.sd.pk}  # the sub-district's viewer shows them
    assert on_device[0].changes_dict["key"][1] == "[redacted]"
    # No secret anywhere in the log: not the key (hex or base32), not a recovery code, not its digest.
    secret = base64.b32encode(device.bin_key).decode()
    text = " ".join(f"{e.changes} {e.changes_text} {e.object_repr} {e.additional_data} {e.serialized_data}"
                    for e in entries)
    for needle in (device.key, secret, secret.lower(), *codes, *(services.normalise_code(c) for c in codes),
                   *(services.recovery_digest(c) for c in codes)):
        assert needle not in text


def test_the_audit_viewer_of_the_sub_district_shows_the_entries(cast: Cast) -> None:
    officer = new_officer(cast)
    enrolled(officer)
    client = Client()
    client.force_login(cast.users["admin"])
    page = client.get("/audit/?model=totpdevice")
    assert page.status_code == 200
    assert officer.username in page.content.decode()
    assert TOTPDevice.objects.get(user=officer).key not in page.content.decode()


def test_a_demo_account_is_enrolled_with_the_demo_secret(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    from huxiao.demo.accounts import account

    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    monkeypatch.setenv("HUXIAO_DEMO_TOTP_SECRET", secret)
    police = account("demo-police", password=PASSWORD, role=Role.POLICE, org=cast.ps, full_name="陈警官")
    device = TOTPDevice.objects.get(user=police)
    assert device.confirmed and device.bin_key == base64.b32decode(secret)
    account("demo-police", password=PASSWORD, role=Role.POLICE, org=cast.ps, full_name="陈警官")
    assert TOTPDevice.objects.get(user=police).pk == device.pk  # a rebuild keeps it
    guard = account("demo-guard", password=PASSWORD, role=Role.GUARD, org=cast.unit_a, full_name="王")
    assert not TOTPDevice.objects.filter(user=guard).exists()
    # Scripts log in with a code of that secret.
    token = APIClient().post(TOKEN, {"username": "demo-police", "password": PASSWORD, "otp": totp_code(police)},
                             format="json")
    assert token.status_code == 200
    # Without the variable, the demo's officers set up their app by QR code at the first login.
    monkeypatch.delenv("HUXIAO_DEMO_TOTP_SECRET")
    office = cast.users["governance"].organisation
    fresh = account("demo-governance", password=PASSWORD, role=Role.GOVERNANCE, org=office, full_name="综治")
    assert not TOTPDevice.objects.filter(user=fresh).exists()
    assert password_only("demo-governance").get("/login/otp/")["Location"].startswith("/login/otp/enrol/")


@pytest.mark.parametrize("secret", ["not base32!", "JBSWY3DP"])
def test_a_bad_demo_secret_is_refused_with_a_message(cast: Cast, secret: str) -> None:
    with pytest.raises(ValidationError):
        services.second_factor_enrol_secret(user=cast.users["police"], secret=secret)


def test_a_test_client_force_login_is_verified_by_the_device_in_its_session(cast: Cast) -> None:
    """What the rest of the suite relies on (``tests/conftest.py``): ``force_login`` names a confirmed device."""
    client = Client()
    client.force_login(cast.users["police"])
    device = TOTPDevice.objects.get(pk=client.session[DEVICE_ID_SESSION_KEY].split("/")[1])
    assert device.user_id == cast.users["police"].pk and device.confirmed
    assert client.get("/units/").status_code == 200
