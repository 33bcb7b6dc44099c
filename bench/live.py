"""A small server-sent-events client (asyncio, no dependencies) for the live-stream tests and
``bench/alarms.py``: a console subscribed to ``/api/v1/alarms/stream/``."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import AsyncIterator
from typing import Any


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


class StreamClosed(Exception):
    pass


class Console:
    """One console: connects, then yields ``(event, data, id, arrived_at)`` for each event."""

    def __init__(self, host: str, port: int, token: str, *, last_id: int | None = None) -> None:
        self.host, self.port, self.token, self.last_id = host, port, token, last_id
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        head = (f"GET /api/v1/alarms/stream/ HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                f"Authorization: Token {self.token}\r\nAccept: text/event-stream\r\n")
        if self.last_id is not None:
            head += f"Last-Event-ID: {self.last_id}\r\n"
        self.writer.write((head + "\r\n").encode())
        status = await self.reader.readline()
        if b" 200 " not in status:
            raise StreamClosed(status.decode(errors="replace").strip())
        while (await self.reader.readline()) not in (b"\r\n", b""):
            pass

    async def _chunks(self) -> AsyncIterator[tuple[bytes, float]]:
        """The body's chunks, each with when it was read off the socket (its events' arrival time: not
        when this client got round to parsing them)."""
        assert self.reader is not None
        while True:
            size_line = await self.reader.readline()
            arrived = time.time()
            if not size_line:
                raise StreamClosed("connection closed")
            size = int(size_line.strip() or b"0", 16)
            if size == 0:
                raise StreamClosed("stream ended")
            data = await self.reader.readexactly(size + 2)
            yield data[:-2], arrived

    async def events(self) -> AsyncIterator[tuple[str, dict[str, Any], int | None, float]]:
        buffer = b""
        async for chunk, arrived in self._chunks():
            buffer += chunk
            while b"\n\n" in buffer:
                frame, buffer = buffer.split(b"\n\n", 1)
                fields: dict[str, str] = {}
                for line in frame.decode().splitlines():
                    if line.startswith(":") or ": " not in line:
                        continue
                    name, value = line.split(": ", 1)
                    fields[name] = value
                if "event" in fields:
                    event_id = int(fields["id"]) if "id" in fields else None
                    if event_id is not None:
                        self.last_id = event_id
                    yield fields["event"], json.loads(fields["data"]), event_id, arrived

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def post_json(host: str, port: int, token: str, path: str, payload: dict[str, Any]) -> tuple[int, Any]:
    """One POST on its own connection: status and decoded JSON body."""
    reader, writer = await asyncio.open_connection(host, port)
    body = json.dumps(payload).encode()
    writer.write((f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
                  f"Authorization: Token {token}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
                 + body)
    try:
        status = int((await reader.readline()).split()[1])
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
        data = await reader.readexactly(length) if length else await reader.read()
        return status, json.loads(data) if data else None
    finally:
        writer.close()
