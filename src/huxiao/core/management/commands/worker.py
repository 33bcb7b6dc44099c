"""``huxiao worker``: the job and reminder worker (huey's consumer, with its periodic tasks)."""

from __future__ import annotations

import os
import signal
import threading
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run the job and reminder worker (huey)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--parent", type=int, default=None,
                            help="stop when the process with this id is no longer the parent (``huxiao serve``)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["parent"]:
            watch_parent(options["parent"])
        call_command("run_huey", workers=options["workers"], periodic=True)


def watch_parent(parent: int, every: float = 1.0) -> threading.Thread:
    """Send ourselves SIGTERM (huey's consumer stops on it) once ``parent`` is gone: a worker started by
    ``huxiao serve`` must not outlive it, even when it is killed without a chance to stop the worker."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every)
        os.kill(os.getpid(), signal.SIGTERM)

    thread = threading.Thread(target=watch, name="huxiao-parent-watch", daemon=True)
    thread.start()
    return thread
