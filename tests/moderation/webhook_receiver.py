"""A platform's webhook receiver on 127.0.0.1 for tests: it verifies Tandem's signature."""

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET = "whsec-test-6f1c2a"


class Receiver:
    """A platform's webhook receiver: checks the signature itself and answers ``statuses`` in
    turn (the last one from then on)."""

    def __init__(self, *statuses: int):
        self.statuses = list(statuses or [200])
        self.received: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                timestamp = self.headers["X-Tandem-Timestamp"]
                expected = hmac.new(
                    SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
                ).hexdigest()
                receiver.received.append(
                    {
                        "body": json.loads(body),
                        "signature_ok": hmac.compare_digest(
                            self.headers["X-Tandem-Signature"], f"sha256={expected}"
                        ),
                        "timestamp": int(timestamp),
                    }
                )
                status = receiver.statuses[min(len(receiver.received), len(receiver.statuses)) - 1]
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else b"receiver is down")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/tandem"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
