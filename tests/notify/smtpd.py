"""A real SMTP server for tests (aiosmtpd) on a free port, that can go down and come back on
the same port, and can refuse chosen recipients with a chosen reply."""

from __future__ import annotations

import asyncio
import threading
from email import message_from_bytes
from email.message import Message
from typing import Any

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.refuse: dict[str, str] = {}
        self.lock = threading.Lock()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


class Smtpd:
    def __init__(self) -> None:
        self.sink = Sink()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server: asyncio.AbstractServer | None = None
        self.port = 0

    def start(self) -> None:
        async def serve() -> asyncio.AbstractServer:
            return await self.loop.create_server(
                lambda: SMTP(self.sink, hostname="test.local"),
                "127.0.0.1",
                self.port,
                reuse_address=True,
            )

        self.server = asyncio.run_coroutine_threadsafe(serve(), self.loop).result(10)
        self.port = self.server.sockets[0].getsockname()[1]

    def stop(self) -> None:
        async def close(server: asyncio.AbstractServer) -> None:
            server.close()
            await server.wait_closed()

        if self.server is not None:
            asyncio.run_coroutine_threadsafe(close(self.server), self.loop).result(10)
            self.server = None

    def shutdown(self) -> None:
        self.stop()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    def ids(self) -> list[str]:
        with self.sink.lock:
            return [str(m["Message-ID"]) for m in self.sink.messages]
