"""A platform's webhook receiver on 127.0.0.1 for tests: it verifies Tandem's signature."""

import hashlib
import hmac
import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET = "whsec-test-6f1c2a"


class Receiver:
    """A platform's webhook receiver: checks the signature itself and answers ``statuses`` in
    turn (the last one from then on).

    ``delay``: seconds to wait before answering (a slow receiver). ``drip``: answer the status
    line, then one header byte every ``drip`` seconds, never finishing (a slow-drip receiver
    that no socket timeout catches).
    """

    def __init__(self, *statuses: int, delay: float = 0.0, drip: float | None = None):
        self.statuses = list(statuses or [200])
        self.received: list[dict] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                timestamp = self.headers["X-Tandem-Timestamp"]
                expected = hmac.new(
                    SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
                ).hexdigest()
                with receiver._lock:
                    receiver.received.append(
                        {
                            "body": json.loads(body),
                            "delivery_id": self.headers["X-Tandem-Delivery"],
                            "signature_ok": hmac.compare_digest(
                                self.headers["X-Tandem-Signature"], f"sha256={expected}"
                            ),
                            "timestamp": int(timestamp),
                        }
                    )
                    count = len(receiver.received)
                if drip is not None:
                    self._drip(drip)
                    return
                if delay:
                    time.sleep(delay)
                status = receiver.statuses[min(count, len(receiver.statuses)) - 1]
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else b"receiver is down")

            def _drip(self, every: float) -> None:
                try:
                    self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                    self.wfile.flush()
                    while not receiver._stopping.wait(every):
                        self.wfile.write(b"X")
                        self.wfile.flush()
                except OSError:
                    pass  # the sender hung up

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/tandem"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def deliveries(self) -> Counter:
        """How many times each delivery id arrived (a receiver drops repeats by it)."""
        with self._lock:
            return Counter(got["delivery_id"] for got in self.received)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self._stopping.set()
        self.server.shutdown()
        self.server.server_close()
