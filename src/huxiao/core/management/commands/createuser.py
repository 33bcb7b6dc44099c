"""``huxiao createuser USERNAME --role ROLE --org CODE``: the password is asked for, or read from
``--password-env NAME`` for scripts (never from the command line, where ``ps`` shows it)."""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from huxiao.core.models import Organisation, Role
from huxiao.core.services import user_create


class Command(BaseCommand):
    help = "Create a user with a role in an organisation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--org", required=True, help="organisation code, e.g. K01 or SD01")
        parser.add_argument("--full-name", default="")
        parser.add_argument("--email", default="")
        parser.add_argument("--password-env", help="read the password from this environment variable")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            org = Organisation.objects.get(code=options["org"])
        except Organisation.DoesNotExist as exc:
            raise CommandError(f"No organisation with code {options['org']!r}.") from exc
        if options["password_env"]:
            password = os.environ.get(options["password_env"], "")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords differ.")
        try:
            user = user_create(username=options["username"], password=password, role=options["role"],
                               organisation=org, full_name=options["full_name"], email=options["email"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"Created {user.username} ({user.role}) in {org.code}."))
