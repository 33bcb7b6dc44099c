"""The SMS interface (F-NOTIFY): ``send_sms(phone, text)`` through the backend named by
``HUXIAO_SMS_BACKEND``. Huxiao ships a console backend (the message is logged, the number masked) and an
in-memory one for tests; a carrier's gateway is one small class with ``send(phone, text)``."""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from huxiao.core.validators import mask_phone

logger = logging.getLogger("huxiao.sms")


class Backend(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class ConsoleBackend:
    """Logs each message instead of sending it (the embedded set-up, the demo)."""

    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", mask_phone(phone), text)


class MemoryBackend:
    """Keeps messages in ``outbox`` (tests)."""

    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        MemoryBackend.outbox.append((phone, text))


def send_sms(phone: str, text: str) -> None:
    backend: Backend = import_string(settings.HUXIAO_SMS_BACKEND)()
    backend.send(phone, text[:280])
