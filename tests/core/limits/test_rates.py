"""The rate counter behind the intake limit: a sliding window over Django's cache. The clock is
set by the test (``time.time`` as core.limits reads it); the cache is the real one."""

import pytest

from core import limits
from core.limits import RateLimited, rate_take


@pytest.fixture
def clock(monkeypatch):
    now = {"t": 1_000_000 * 60.0}  # the start of a minute

    monkeypatch.setattr(limits.time, "time", lambda: now["t"])
    return now


def take(amount: int = 1, rate: str = "10/min") -> None:
    rate_take(key="test", amount=amount, rate=rate, what="Testing", unit="items")


def test_a_full_window_refuses_and_says_when_to_come_back(clock):
    take(10)

    with pytest.raises(RateLimited) as refused:
        take()

    assert refused.value.extra["limit"] == 10
    assert "10 items per minute" in str(refused.value.detail)


def test_no_burst_of_twice_the_rate_across_a_window_edge(clock):
    clock["t"] += 59  # the last second of the minute
    take(10)
    clock["t"] += 2  # one second into the next minute

    with pytest.raises(RateLimited):
        take()


def test_after_the_retry_after_the_request_passes(clock):
    clock["t"] += 30
    take(10)
    with pytest.raises(RateLimited) as refused:
        take(4)

    clock["t"] += refused.value.wait - 1
    with pytest.raises(RateLimited):
        take(4)
    clock["t"] += 1
    take(4)


def test_a_refused_request_uses_none_of_the_allowance(clock):
    take(8)
    with pytest.raises(RateLimited):
        take(3)

    take(2)
