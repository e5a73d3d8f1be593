"""A platform's webhook receiver on 127.0.0.1, for scenarios that check what arrives."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# --- a platform's webhook receiver ---------------------------------------------------------------


class WebhookReceiver:
    """A platform's webhook endpoint on 127.0.0.1, served by a thread: checks each request's
    signature and records it with its delivery id (``X-Tandem-Delivery``), the id a receiver
    drops repeats by. ``hold(n)`` makes the next ``n`` requests wait (a slow receiver) until
    ``release()``; ``arrived`` is set when a held request is waiting."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.requests: list[dict[str, Any]] = []
        self.arrived = threading.Event()
        self._released = threading.Event()
        self._to_hold = 0
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                timestamp = self.headers.get("X-Tandem-Timestamp", "")
                expected = hmac.new(
                    secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
                ).hexdigest()
                try:
                    parsed = json.loads(body)
                except ValueError:
                    parsed = None
                with receiver._lock:
                    held = receiver._to_hold > 0
                    if held:
                        receiver._to_hold -= 1
                    receiver.requests.append(
                        {
                            "delivery_id": self.headers.get("X-Tandem-Delivery"),
                            "event": self.headers.get("X-Tandem-Event"),
                            "signature_ok": hmac.compare_digest(
                                self.headers.get("X-Tandem-Signature", ""), f"sha256={expected}"
                            ),
                            "body": parsed,
                            "held": held,
                            "at": time.time(),
                        }
                    )
                if held:
                    receiver.arrived.set()
                    receiver._released.wait(timeout=120)
                try:
                    self.send_response(200)
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:
                    pass  # the sender is gone (killed while we held its request)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/tandem"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def hold(self, count: int = 1) -> None:
        with self._lock:
            self._to_hold = count
            self._released.clear()
            self.arrived.clear()

    def release(self) -> None:
        self._released.set()

    def __enter__(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
        self.server.shutdown()
        self.server.server_close()

    def snapshot(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.requests)

    def delivery_ids_by_decision(self) -> dict[Any, set[str]]:
        """Decision id → the delivery ids that carried it (a receiver that dedupes by
        delivery id acts on each decision once only if this is one id per decision)."""
        found: dict[Any, set[str]] = {}
        for request in self.snapshot():
            decision = ((request["body"] or {}).get("decision") or {}).get("id")
            found.setdefault(decision, set()).add(request["delivery_id"])
        return found
