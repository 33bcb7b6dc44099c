"""``huxiao demo``: migrate, build the demo sub-district, print the accounts, serve it."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from huxiao.demo import data
from huxiao.demo.build import build_demo, demo_counts


class Command(BaseCommand):
    help = "Build the demo sub-district and serve it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="build only")
        parser.add_argument("--no-build", action="store_true",
                            help="serve the demo as the database holds it, without building it again (a restart)")

    def progress(self, label: str, done: int, total: int) -> None:
        width = 30
        filled = int(width * done / total)
        bar = "█" * filled + "░" * (width - filled)
        end = "\n" if done == total or not sys.stdout.isatty() else ""
        self.stdout.write(f"\r  [{bar}] {done:>2}/{total}  {label:<28}", ending=end)
        self.stdout.flush()

    def handle(self, *args: Any, **options: Any) -> None:
        password = os.environ.get("HUXIAO_DEMO_PASSWORD", "")
        if not password:
            self.stderr.write("HUXIAO_DEMO_PASSWORD is empty.")
            sys.exit(2)
        self.stdout.write("Migrating the database …")
        call_command("migrate", interactive=False, verbosity=0)
        if options["no_build"]:
            counts = demo_counts()
            if not counts["units"]:
                self.stderr.write("Nothing is built yet: run `huxiao demo` without --no-build first.")
        else:
            self.stdout.write("Building the demo sub-district …")
            counts = build_demo(password=password, progress=self.progress)
        url = f"http://{options['host']}:{options['port']}/"
        kindergarten = next(u.code for u in data.UNITS if u.kind == "kindergarten")
        self.stdout.write(self.style.SUCCESS(
            f"\n{data.SUBDISTRICT.name}: {counts['units']} units, {counts['users']} accounts.\n"
        ))
        self.stdout.write(f"  Open      {url}")
        self.stdout.write(f"  Password  {password}   (every demo account; set HUXIAO_DEMO_PASSWORD to choose)")
        self.stdout.write("  Accounts  admin (sub-district admin), governance, education, supervisor, police,")
        self.stdout.write(f"            and for every unit <code>-admin, <code>-guard, e.g. {kindergarten}-admin")
        self.stdout.write(f"  API docs  {url}api/docs/\n")
        if not options["no_serve"]:
            call_command("serve", host=options["host"], port=options["port"])
