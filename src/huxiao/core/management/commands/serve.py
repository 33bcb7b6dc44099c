"""``huxiao serve``: uvicorn (ASGI), static files by whitenoise, after collecting them."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from types import FrameType
from typing import Any

import uvicorn
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve Huxiao with uvicorn."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
        parser.add_argument("--no-collectstatic", action="store_true")
        parser.add_argument("--access-log", action=argparse.BooleanOptionalAction, default=True,
                            help="log every request (default on; off where the proxy in front keeps the access log)")
        parser.add_argument(
            "--worker", action=argparse.BooleanOptionalAction, default=None,
            help="also run the job worker (re-checks compliance every 10 minutes, daily snapshots); "
                 "default: on in the embedded set-up (no REDIS_URL), off when Redis is configured, where "
                 "`huxiao worker` runs on its own")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        with_worker = options["worker"] if options["worker"] is not None else not settings.REDIS_URL
        # uvicorn stops gracefully on SIGTERM, puts back the handler it found and raises the signal again:
        # with the default handler the process would die there, before the ``finally`` stops the worker.
        previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
        worker = None
        try:
            if with_worker:
                # A separate process (huey's consumer wants its own main thread and signals), stopped with us;
                # should we die without stopping it (SIGKILL), it sees its parent gone and stops itself.
                command = [sys.executable, "-m", "huxiao.cli", "worker", "--workers", "1", "--parent", str(os.getpid())]
                worker = subprocess.Popen(command)  # noqa: S603  (our interpreter, our arguments: no outside input)
            self.run_uvicorn(options)
        finally:
            if worker is not None:
                stop_worker(worker)
            signal.signal(signal.SIGTERM, previous)

    def run_uvicorn(self, options: dict[str, Any]) -> None:
        uvicorn.run(
            "huxiao.asgi:application",
            host=options["host"],
            port=options["port"],
            workers=options["workers"],
            lifespan="off",
            log_level="info",
            access_log=options["access_log"],
            proxy_headers=True,
        )


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def stop_worker(worker: subprocess.Popen[bytes], timeout: float = 10) -> None:
    """Stop the worker and wait for it; a second Ctrl-C or SIGTERM meanwhile does not leave it behind."""
    handlers = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        worker.terminate()
        try:
            worker.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
