"""zkpot_ref/ledger/guards.py: the token bucket, the bounded outbox, the log throttle
(with a fake clock: no timing in these tests)."""

from __future__ import annotations

import asyncio
import logging

import pytest

from zkpot_ref.ledger.guards import Outbox, Throttle, TokenBucket


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_token_bucket_allows_a_burst_then_the_rate() -> None:
    clock = Clock()
    bucket = TokenBucket(rate=10.0, burst=3.0, clock=clock)
    assert [bucket.take() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.take() == pytest.approx(0.1)  # one token short: wait 1/rate
    assert bucket.take() == pytest.approx(0.2)  # debts add up
    clock.now += 0.2  # the debt is paid off
    assert bucket.take() == pytest.approx(0.1)
    clock.now += 1000.0  # a long pause saves up at most `burst`
    assert [bucket.take() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.take() > 0
    assert bucket.take(cost=0.0) > 0  # still in debt


def test_outbox_drops_the_oldest_when_over_count_or_bytes() -> None:
    box = Outbox(max_messages=3, max_bytes=10)
    assert [box.put(b"a"), box.put(b"bb"), box.put(b"ccc")] == [0, 0, 0]
    assert box.put(b"d") == 1  # count: "a" goes
    assert list(box.queue) == [b"bb", b"ccc", b"d"] and box.bytes == 6
    assert box.put(b"eeeeeee") == 2  # 7 more bytes: the oldest go until 10 bytes fit
    assert list(box.queue) == [b"d", b"eeeeeee"] and box.bytes == 8 and box.dropped == 3
    assert box.put(b"x" * 20) == 2  # a message larger than the bound still goes out alone
    assert len(box) == 1


def test_outbox_get_waits_for_a_message() -> None:
    async def main() -> list[bytes]:
        box = Outbox(4, 100)
        waiting = asyncio.create_task(box.get())
        await asyncio.sleep(0)
        assert not waiting.done()
        box.put(b"one")
        box.put(b"two")
        return [await waiting, await box.get()]

    assert asyncio.run(main()) == [b"one", b"two"]


def test_throttle_counts_every_drop_and_shows_a_few(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    throttle = Throttle(burst=2, interval=10.0, clock=clock)
    logger = logging.getLogger("test.throttle")
    logger.addFilter(throttle)
    try:
        with caplog.at_level(logging.INFO, logger="test.throttle"):
            for i in range(5):
                logger.info("dropped %d bytes: %s", i, "garbage")
            logger.info("committed height %d", 7)  # not dropped input: never throttled
            for _ in range(3):
                logger.info("committed height %d", 8)
            clock.now += 10.0
            logger.info("dropped %d bytes: %s", 99, "garbage")
        lines = [r.getMessage() for r in caplog.records]
    finally:
        logger.removeFilter(throttle)
    assert lines[:2] == ["dropped 0 bytes: garbage", "dropped 1 bytes: garbage"]
    assert lines.count("committed height 8") == 3
    assert lines[-1] == "dropped 99 bytes: garbage (and 3 more like it in the last 10 s)"
    assert throttle.seen["dropped %d bytes: %s"] == 6
    assert throttle.summary() == ["6 x 'dropped %d bytes: %s' (3 shown)"]
