"""Raw HTTP/1.1 requests whose bodies are streamed until the server answers: what a server
reads of a hostile body shows in how much could be sent before the answer came."""

from __future__ import annotations

import select
import socket
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Outcome:
    status: int
    sent: int  # body bytes the server let through before answering
    seconds: float


def stream(
    host: str,
    port: int,
    path: str,
    *,
    token: str | None = None,
    total: int = 300 * 1024 * 1024,
    declare_length: bool = False,
    chunk: int = 64 * 1024,
    timeout: float = 30.0,
) -> Outcome:
    """POST `total` bytes of JSON-ish filler to `path`, chunked (or with a Content-Length when
    `declare_length`), sending until the server answers, closes, or all is sent."""
    head = [f"POST {path} HTTP/1.1", f"Host: {host}:{port}", "Content-Type: application/json"]
    if token is not None:
        head.append(f"Authorization: Bearer {token}")
    head.append(f"Content-Length: {total}" if declare_length else "Transfer-Encoding: chunked")
    data = b"[" + b" " * (chunk - 1)
    sent = 0
    t0 = time.perf_counter()
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        try:
            while sent < total:
                readable, _, _ = select.select([sock], [], [], 0)
                if readable:
                    break
                piece = data[: min(chunk, total - sent)]
                sock.sendall(piece if declare_length else b"%x\r\n%s\r\n" % (len(piece), piece))
                sent += len(piece)
            if sent >= total and not declare_length:
                sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed: read its answer
        status_line = _status_line(sock, timeout)
    return Outcome(int(status_line.split()[1]), sent, time.perf_counter() - t0)


def _status_line(sock: socket.socket, timeout: float) -> str:
    buf = b""
    end = time.monotonic() + timeout
    while b"\r\n" not in buf and time.monotonic() < end:
        try:
            got = sock.recv(4096)
        except ConnectionResetError:
            break
        if not got:
            break
        buf += got
    if not buf:
        raise ConnectionError("no answer from the server")
    return buf.split(b"\r\n", 1)[0].decode()


def answer_before_body(
    host: str,
    port: int,
    path: str,
    *,
    declared: int,
    headers: dict[str, str] | None = None,
    timeout: float = 3.0,
) -> int | None:
    """POST with `Content-Length: declared` and send no byte of the body: the status the
    server answers with, or None when it is still waiting for the body after `timeout` (it
    reads bodies before it knows who sends them)."""
    head = [f"POST {path} HTTP/1.1", f"Host: {host}:{port}", f"Content-Length: {declared}"]
    head += [f"{k}: {v}" for k, v in (headers or {}).items()]
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        try:
            return int(_status_line(sock, timeout).split()[1])
        except (ConnectionError, TimeoutError, OSError):
            return None
