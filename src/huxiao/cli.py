"""The ``huxiao`` console script.

``huxiao demo`` and ``huxiao serve`` are the everyday commands; any other word is passed to Django's
management commands (``huxiao migrate``, ``huxiao createuser …``, ``huxiao shell``).
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import sys
from pathlib import Path

USAGE = """usage: huxiao <command> [options]

  demo        build the demo sub-district on SQLite and serve it (127.0.0.1:8000)
  serve       serve Huxiao with uvicorn (--host, --port, --workers)
  worker      run the job and reminder worker (huey)
  migrate     create or update the database tables
  createuser  create a user with a role in an organisation
  rotate-keys re-encrypt personal data under the first key of HUXIAO_FIELD_KEYS (--check to verify)
  …           any other Django management command

Configuration comes from the environment: see the README.
"""

# Words of the CLI spelled differently from their Django management command.
ALIASES = {"rotate-keys": "rotate_keys"}


def demo_secrets(home: Path) -> dict[str, str]:
    """The demo's own keys, generated once and kept beside its database, so restarts can decrypt."""
    path = home / ".huxiao" / "demo-secrets.json"
    if path.exists():
        stored: dict[str, str] = json.loads(path.read_text())
        return stored
    path.parent.mkdir(parents=True, exist_ok=True)
    values = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "HUXIAO_FIELD_KEYS": "demo1:" + base64.b64encode(os.urandom(32)).decode(),
        "HUXIAO_HASH_KEY": secrets.token_urlsafe(32),
        "HUXIAO_DEMO_PASSWORD": "Demo-" + secrets.token_urlsafe(9).replace("_", "x").replace("-", "y") + "-1",
    }
    path.write_text(json.dumps(values, indent=2))
    path.chmod(0o600)
    return values


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huxiao.settings")
    if argv[0] == "demo":
        home = Path(os.environ.get("HUXIAO_HOME", Path.cwd())).resolve()
        for key, value in demo_secrets(home).items():
            os.environ.setdefault(key, value)
    import django
    from django.core.management import execute_from_command_line

    django.setup()
    execute_from_command_line(["huxiao", ALIASES.get(argv[0], argv[0]), *argv[1:]])


if __name__ == "__main__":
    main()
