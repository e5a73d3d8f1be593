"""Log lines through Django's ``LOGGING``: with ``TANDEM_LOG_FORMAT=json`` (the test and
production default) every line is one JSON object carrying the request id of the request that
logged it."""

import io
import json
import logging

import pytest
from django.conf import settings
from django.test import Client

from core.middleware import current_request_id
from core.observability.logging import ContextFilter

pytestmark = pytest.mark.django_db


@pytest.fixture
def log_lines():
    """The lines the configured console handler writes while the test runs."""
    handlers = [
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, ContextFilter) for f in h.filters)
    ]
    assert handlers, "LOGGING's console handler is not on the root logger"
    handler = handlers[0]
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        yield lambda: [line for line in buffer.getvalue().splitlines() if line]
    finally:
        handler.setStream(previous)


def test_the_test_settings_log_json(log_lines):
    assert settings.TANDEM_LOG_FORMAT == "json"


def test_each_line_is_a_json_object_with_the_request_id_of_its_request(log_lines):
    client = Client(raise_request_exception=False)

    first = client.get("/api/v1/no-such-thing/", HTTP_X_REQUEST_ID="req-first-1")
    second = client.get("/api/v1/nothing-here/", HTTP_X_REQUEST_ID="req-second-2")

    assert first.status_code == second.status_code == 404
    records = [json.loads(line) for line in log_lines()]
    by_request = {record["request_id"]: record for record in records}
    assert {"req-first-1", "req-second-2"} <= set(by_request)
    first_line = by_request["req-first-1"]
    assert list(first_line)[:5] == ["time", "level", "logger", "message", "request_id"]
    assert first_line["level"] == "WARNING"
    assert first_line["logger"] == "django.request"
    assert "/api/v1/no-such-thing/" in first_line["message"]
    assert first_line["time"].endswith("+00:00")
    assert "/api/v1/nothing-here/" in by_request["req-second-2"]["message"]


def test_a_request_without_an_id_gets_one_in_its_answer_and_its_lines(log_lines):
    response = Client(raise_request_exception=False).get("/api/v1/unknown-path/")

    records = [json.loads(line) for line in log_lines()]
    assert response["X-Request-ID"] in {record["request_id"] for record in records}


def test_an_exception_is_logged_with_its_traceback_in_the_same_line(log_lines):
    token = current_request_id.set("req-boom-3")
    try:
        try:
            {}["missing"]
        except KeyError:
            logging.getLogger("tandem.tests").exception("could not do the thing")
    finally:
        current_request_id.reset(token)

    (line,) = log_lines()
    record = json.loads(line)
    assert record["message"] == "could not do the thing"
    assert record["level"] == "ERROR"
    assert record["request_id"] == "req-boom-3"
    assert "KeyError: 'missing'" in record["exception"]
    assert "Traceback" in record["exception"]


def test_lines_outside_requests_have_a_null_request_id_and_extra_fields(log_lines):
    logging.getLogger("tandem.tests").info("imported %s rows", 12, extra={"project": 7})

    (line,) = log_lines()
    record = json.loads(line)
    assert record["message"] == "imported 12 rows"
    assert record["request_id"] is None
    assert record["project"] == 7
    assert "exception" not in record


def test_plain_lines_show_the_request_id_in_brackets():
    handler = logging.StreamHandler(io.StringIO())
    handler.setFormatter(logging.Formatter(settings.LOGGING["formatters"]["plain"]["format"]))
    handler.addFilter(ContextFilter())
    logger = logging.getLogger("tandem.tests.plain")
    logger.addHandler(handler)
    logger.propagate = False
    token = current_request_id.set("req-plain-4")
    try:
        logger.warning("the queue is empty")
    finally:
        current_request_id.reset(token)
        logger.removeHandler(handler)
        logger.propagate = True

    line = handler.stream.getvalue().strip()
    assert line.endswith("WARNING tandem.tests.plain [req-plain-4] the queue is empty")
