"""F-DEMO: when ``huxiao demo`` is stopped (Ctrl-C, a service manager's SIGTERM, even SIGKILL), its job
worker stops too. A system test: it builds the demo and starts it as processes of their own, so it runs with
the browser tests in CI (``.ci/run``), not in the README's test command, where it was a fifth of the time."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

PASSWORD = "Demo-Password-1"
ROOT = Path(__file__).resolve().parent.parent


# --- Stopping it -------------------------------------------------------------------------------------------

def demo_env(home: Path) -> dict[str, str]:
    """A demo of its own: its database, job queue, keys and static files in ``home``, nothing from ours."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("HUXIAO_", "DJANGO_")) and k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY",
                                                                   "STATIC_ROOT", "PYTHONPATH"}}
    return {**env, "HOME": str(home), "HUXIAO_HOME": str(home), "HUXIAO_DEMO_PASSWORD": PASSWORD,
            "DJANGO_SETTINGS_MODULE": "tests.demo_settings",
            "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)}


HUXIAO = [sys.executable, "-m", "huxiao.cli"]


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo built once (and its static files collected) for the module: each start below only rebuilds."""
    import json

    home = tmp_path_factory.mktemp("demo-home")
    for command in (["demo", "--no-serve"], ["collectstatic", "--no-input", "-v", "0"]):
        env = demo_env(home)
        if command[0] != "demo":  # the keys the demo generated, which only ``huxiao demo`` reads by itself
            env.update(json.loads((home / ".huxiao" / "demo-secrets.json").read_text()))
        done = subprocess.run([*HUXIAO, *command], env=env, cwd=home, capture_output=True, text=True,
                              timeout=300, check=False)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return home


def session_processes(session: int) -> dict[int, str]:
    """The live processes (zombies are dead) of a session, with their command lines."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        state, _ppid, _group, sid = stat[stat.rindex(")") + 2:].split()[:4]
        if int(sid) == session and state != "Z":
            found[int(entry.name)] = cmdline
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_demo(home: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = free_port()
    log = (home / f"demo-{port}.log").open("wb")
    # A session of its own: whatever it starts is found by the session id, however it is re-parented.
    # --no-build: what is under test is the processes, and the build was tested above (and by the fixture).
    proc = subprocess.Popen([*HUXIAO, "demo", "--no-build", "--port", str(port)], env=demo_env(home), cwd=home,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield proc, port
    finally:
        for pid in session_processes(proc.pid):  # whatever the test left behind, so no run leaks processes
            os.kill(pid, signal.SIGKILL)
        proc.wait(timeout=30)
        log.close()


def wait_until_served(proc: subprocess.Popen[bytes], port: int, log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text(errors="replace")[-3000:]
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError("the demo did not serve in time:\n" + log.read_text(errors="replace")[-3000:])


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process table from /proc")
def test_stopping_the_demo_stops_its_worker(demo_home: Path) -> None:
    """Ctrl-C (SIGINT), a service manager's SIGTERM, even SIGKILL: no job worker is left running.

    One test for the three, so the demo is built once (parametrised, each xdist worker built its own)."""
    for stop in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        with running_demo(demo_home) as (proc, port):
            wait_until_served(proc, port, demo_home / f"demo-{port}.log")
            deadline = time.monotonic() + 30
            while not any("worker" in cmd for cmd in session_processes(proc.pid).values()):
                assert time.monotonic() < deadline, (stop.name, session_processes(proc.pid))
                time.sleep(0.2)

            proc.send_signal(stop)
            proc.wait(timeout=30)

            deadline = time.monotonic() + 15
            while (left := session_processes(proc.pid)) and time.monotonic() < deadline:
                time.sleep(0.2)
            assert not left, f"still running after {stop.name}: {left}"
