"""An HTTP client of the app: JSON in and out, a session, an API token or a platform key."""

from __future__ import annotations

import http.client
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

# --- HTTP ----------------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    ms: float

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @property
    def is_json(self) -> bool:
        return self.content_type.startswith("application/json")

    @property
    def data(self) -> Any:
        if not self.body or not self.is_json:
            return None
        return json.loads(self.body)

    def __repr__(self) -> str:
        return f"<{self.status} {self.content_type} {self.body[:300]!r}>"


# A keep-alive connection the server closed while it was idle fails like this on reuse.
_STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


class Api:
    """A client of the app over HTTP: JSON in and out, one keep-alive connection, a session
    cookie or an API token (``Token``) or a platform key (``Bearer``)."""

    def __init__(
        self, port: int, *, token: str | None = None, bearer: str | None = None, timeout=30.0
    ):
        self.port = port
        self.timeout = timeout
        self.auth = f"Token {token}" if token else f"Bearer {bearer}" if bearer else None
        self.cookies: dict[str, str] = {}
        self._conn: http.client.HTTPConnection | None = None

    @classmethod
    def login(cls, port: int, username: str, password: str) -> Api:
        """Log in through the session API, then use an API token from then on."""
        session = cls(port)
        csrf = session.get("/api/v1/auth/csrf/")
        assert csrf.status == 200, csrf
        answer = session.post(
            "/api/v1/auth/login/", {"username": username, "password": password}, csrf=True
        )
        if answer.status != 200:
            raise AssertionError(f"login of {username} failed: {answer!r}")
        answer = session.post("/api/v1/auth/token/", csrf=True)
        if answer.status != 201:
            raise AssertionError(f"no API token for {username}: {answer!r}")
        session.close()
        return cls(port, token=answer.data["token"])

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        raw: bytes | None = None,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
        csrf: bool = False,
    ) -> Answer:
        """One request; connection errors other than a stale keep-alive propagate (the
        connection is reset for the next call)."""
        payload = raw if raw is not None else b""
        if body is not None:
            payload = json.dumps(body).encode()
        sent = {"Accept": "application/json", **(headers or {})}
        if payload or method in {"POST", "PUT", "PATCH"}:
            sent["Content-Type"] = content_type
        if self.auth:
            sent["Authorization"] = self.auth
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if csrf and "csrftoken" in self.cookies:
            sent["X-CSRFToken"] = self.cookies["csrftoken"]
        for attempt in range(2):
            reused = self._conn is not None
            if self._conn is None:
                self._conn = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=self.timeout
                )
            started = time.perf_counter()
            try:
                self._conn.request(method, path, body=payload, headers=sent)
                response = self._conn.getresponse()
                data = response.read()
            except _STALE:
                self.close()
                if reused and attempt == 0:
                    continue
                raise
            except (OSError, http.client.HTTPException):
                self.close()
                raise
            ms = (time.perf_counter() - started) * 1000
            answer_headers = {k.lower(): v for k, v in response.getheaders()}
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    # Secure cookies too: this client speaks plain HTTP to 127.0.0.1 only.
                    cookie_name, _, rest = value.partition("=")
                    self.cookies[cookie_name.strip()] = rest.split(";", 1)[0]
            if response.getheader("connection", "").lower() == "close":
                self.close()
            return Answer(response.status, answer_headers, data, ms)
        raise AssertionError("unreachable")

    def get(self, path: str, **kwargs: Any) -> Answer:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Answer:
        return self.request("POST", path, body, **kwargs)

    def patch(self, path: str, body: Any = None, **kwargs: Any) -> Answer:
        return self.request("PATCH", path, body, **kwargs)

    def upload(self, path: str, *, filename: str, content: bytes, fields=None) -> Answer:
        """POST a multipart form with one file (``file``) and text fields."""
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in (fields or {}).items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n".encode()
            )
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request(
            "POST",
            path,
            raw=b"".join(parts),
            content_type=f"multipart/form-data; boundary={boundary}",
        )


def expect(answer: Answer, *statuses: int) -> Any:
    """The answer's JSON when its status is one of ``statuses``; AssertionError otherwise."""
    if answer.status not in statuses:
        raise AssertionError(f"expected {statuses}, got {answer!r}")
    return answer.data
