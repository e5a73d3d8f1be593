"""Small things every part of the stack uses."""

from __future__ import annotations

import socket
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


class StartError(RuntimeError):
    """A server did not come up; the message ends with the tail of its log."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def log_tail(path: Path | None, chars: int = 4000) -> str:
    if path is None or not path.is_file():
        return ""
    text = path.read_text(errors="replace")
    return text[-chars:]


def wait_until(check, *, timeout: float, what: str, interval: float = 0.2) -> Any:
    """Poll ``check`` until it returns something true; ``TimeoutError`` naming ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)
