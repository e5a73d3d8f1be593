"""What the fault scenarios share: import files, polling a job through the API, a deadline."""

import time
from collections.abc import Callable
from typing import Any

import pytest

from benchmarks.stack import Api, Stack

IMPORT_DONE = {"succeeded", "failed"}
# A job "ends in a clear state": it succeeded, it failed with a reason, or (training) it is
# waiting for labels with a message saying which.
JOB_DONE = {"succeeded", "failed", "waiting"}

_SUBJECTS = (
    "Your parcel", "The invoice for March", "Our team meeting", "The 18:05 train to Leeds",
    "Dinner with the Okafors", "The boiler service", "Your library loan", "The school trip",
    "Tomorrow's yoga class", "The dentist appointment", "Your prescription", "The car's MOT",
)  # fmt: skip
_PREDICATES = (
    "is delayed until", "has moved to", "is confirmed for", "needs an answer by",
    "was cancelled; the new date is", "is ready for collection from", "is due on",
)  # fmt: skip
_WHEN = (
    "Monday morning", "Tuesday after lunch", "half past six", "the end of the week",
    "the 14th", "next Friday", "noon tomorrow", "Sunday evening", "early next month",
)  # fmt: skip
_SPAM = (
    "WINNER! Claim your free cruise now - reply YES", "Urgent: your account is locked - send PIN",
    "Cheap meds with no prescription at this link", "You won a 1000 pound voucher so call now",
)  # fmt: skip


def message(n: int) -> str:
    """An everyday message, different for each ``n``."""
    return (
        f"{_SUBJECTS[n % len(_SUBJECTS)]} {_PREDICATES[(n // 12) % len(_PREDICATES)]} "
        f"{_WHEN[(n // 84) % len(_WHEN)]} (ref {n})"
    )


def spam(n: int) -> str:
    return f"{_SPAM[n % len(_SPAM)]} (code {n})"


def csv_file(rows: int, *, labeled: int = 0, repeated: int = 0, start: int = 0) -> bytes:
    """``id,text,label`` rows ``msg-<start>`` … : every third one spam; the first ``labeled``
    carry their label; the first ``repeated`` rows appear again at the end (a file exported
    twice), which adds no item."""
    lines = ["id,text,label"]
    for n in range(start, start + rows):
        is_spam = n % 3 == 0
        text = spam(n) if is_spam else message(n)
        label = ("spam" if is_spam else "ham") if n - start < labeled else ""
        lines.append(f"msg-{n},{text},{label}")
    lines += lines[1 : repeated + 1]
    return ("\n".join(lines) + "\n").encode()


def poll(
    read: Callable[[], Any],
    *,
    until: Callable[[Any], bool],
    timeout: float,
    what: str,
    stack: Stack | None = None,
    interval: float = 0.25,
) -> Any:
    """Call ``read`` until ``until(value)``; fails the test after ``timeout`` seconds with the
    last value (and the app's logs)."""
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = read()
        if until(value):
            return value
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}; last seen: {value!r}")


def get_json(api: Api, path: str) -> Any:
    answer = api.get(path)
    assert answer.status == 200, answer
    return answer.data
