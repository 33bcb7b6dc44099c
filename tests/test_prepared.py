"""``core.prepared``: a queryset compiled once and run again with other values answers exactly what the
queryset itself answers, scope included."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from huxiao.core.models import ApiToken, Organisation
from huxiao.core.prepared import Prepared
from huxiao.core.scoping import scope_key
from huxiao.gate.models import Child
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def test_the_same_rows_as_the_queryset_for_every_value_and_user(cast: Cast) -> None:
    children = Prepared(lambda user, child: Child.objects.visible_to(user).filter(pk=child).select_related(
        "school_class"))
    everyone = list(Child.objects.order_by("pk"))
    assert len({c.unit_id for c in everyone}) >= 2
    for user in (cast.users["guard"], cast.users["foreign_b"], cast.users["unit_admin"], cast.users["police"],
                 cast.users["admin"]):
        for child in everyone:
            expected = list(Child.objects.visible_to(user).filter(pk=child.pk).select_related("school_class"))
            got = children.all(scope_key(user), user, child=child.pk)
            assert [(c.pk, c.name, c.school_class.name) for c in got] == \
                [(c.pk, c.name, c.school_class.name) for c in expected], (user.username, child.pk)
    guard, other = cast.users["guard"], cast.users["foreign_b"]
    own = [c for c in everyone if c.unit_id == guard.organisation_id]
    assert own and children.first(scope_key(guard), guard, child=own[0].pk) is not None
    assert children.first(scope_key(other), other, child=own[0].pk) is None  # another unit's guard: not seen
    # The police and the sub-district see no children at all: the scope compiles to "nothing", no SQL runs.
    with CaptureQueriesContext(connection) as queries:
        assert children.all(scope_key(cast.users["police"]), cast.users["police"], child=everyone[0].pk) == []
    assert len(queries) == 0


def test_a_shape_is_compiled_once_and_values_are_parameters(cast: Cast) -> None:
    calls = []

    def build(name: str) -> object:
        calls.append(name)
        return Organisation.objects.filter(name=name)

    by_name = Prepared(build)  # type: ignore[arg-type]
    names = list(Organisation.objects.values_list("name", flat=True)[:3])
    for name in [*names, "'; DROP TABLE core_organisation; --"]:
        assert [o.name for o in by_name.all((), name=name)] == list(
            Organisation.objects.filter(name=name).values_list("name", flat=True))
    assert len(calls) == 1 and calls[0].startswith("\x1fprepared")
    assert Organisation.objects.exists()


def test_the_token_lookup_honours_expiry_and_revocation(cast: Cast) -> None:
    token, key = ApiToken.issue(cast.users["guard"])
    found = ApiToken.find(key)
    assert found is not None and found.user.organisation.pk == cast.users["guard"].organisation_id
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert ApiToken.find(key) is None
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() + timedelta(hours=1),
                                                revoked_at=timezone.now())
    assert ApiToken.find(key) is None
    assert ApiToken.find("no-such-key") is None
