"""Guards: how a validator stays useful while someone floods it.

Lesson: a public port is an invitation. Authentication (``handshake.py``) stops strangers
from *talking*, but not from connecting, and a validator that is itself Byzantine may talk
as fast as it likes. Each resource a peer can make us spend gets a bound, and each bound
is one small object here:

- **time per peer** — a :class:`TokenBucket`: ``rate`` units a second, at most ``burst``
  saved up. The node charges one token per message read from a peer (and one per
  connection accepted); when the bucket is empty it simply *stops reading* for a while.
  That is backpressure: the kernel's buffers fill and the sender blocks, so a flood costs
  the flooder, not us, and an honest peer loses nothing;
- **memory per peer** — an :class:`Outbox`: what we still have to send to one peer, at most
  ``max_messages`` and ``max_bytes``; when a peer does not read, the *oldest* messages
  go (the replica's gossip re-sends what still matters);
- **log lines** — a :class:`Throttle` on the node's logger: every "dropped ..." line is
  counted, but each kind is printed at most ``burst`` times per ``interval``, then once
  more with the number it held back. A flood of garbage must not become a flood of disk
  writes, and an operator still sees what happened and how often.

The connection limit, the handshake deadline and the per-frame read deadline live in
``node.py``, where the sockets are.

Read next: ``node.py``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass


class TokenBucket:
    """``rate`` tokens a second, at most ``burst`` saved; spending may run into debt."""

    def __init__(self, rate: float, burst: float,
                 clock: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
        self.rate, self.burst, self.clock = rate, burst, clock
        self.tokens, self.updated = burst, clock()

    def take(self, cost: float = 1.0) -> float:
        """Spend ``cost`` tokens; return how many seconds to wait before going on (0: now)."""
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        self.tokens -= cost
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate


class Outbox:
    """A bounded FIFO of messages for one peer that drops the oldest when full."""

    def __init__(self, max_messages: int, max_bytes: int) -> None:
        self.max_messages, self.max_bytes = max_messages, max_bytes
        self.queue: deque[bytes] = deque()
        self.bytes = 0
        self.dropped = 0
        self._ready = asyncio.Event()

    def __len__(self) -> int:
        return len(self.queue)

    def put(self, data: bytes) -> int:
        """Queue ``data``; returns how many old messages were dropped to make room."""
        dropped = 0
        while self.queue and (len(self.queue) >= self.max_messages
                              or self.bytes + len(data) > self.max_bytes):  # fmt: skip
            self.bytes -= len(self.queue.popleft())
            dropped += 1
        self.queue.append(data)
        self.bytes += len(data)
        self.dropped += dropped
        self._ready.set()
        return dropped

    async def get(self) -> bytes:
        """The oldest message, waiting for one if there is none."""
        while not self.queue:
            self._ready.clear()
            await self._ready.wait()
        data = self.queue.popleft()
        self.bytes -= len(data)
        return data


@dataclass
class _Window:
    start: float
    shown: int = 0
    held: int = 0


class Throttle(logging.Filter):
    """A logging filter: lines whose template contains one of ``words`` are counted
    (``seen``) and shown at most ``burst`` times per ``interval`` seconds per template."""

    WORDS = ("dropped", "refused", "equivocates")

    def __init__(self, burst: int = 5, interval: float = 10.0,
                 clock: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
        super().__init__()
        self.burst, self.interval, self.clock = burst, interval, clock
        self.windows: dict[str, _Window] = {}
        self.seen: Counter[str] = Counter()
        self.held: Counter[str] = Counter()

    def filter(self, record: logging.LogRecord) -> bool:
        template = str(record.msg)
        if not any(word in template for word in self.WORDS):
            return True
        self.seen[template] += 1
        now = self.clock()
        window = self.windows.get(template)
        if window is None or now - window.start >= self.interval:
            self.windows[template] = _Window(now, shown=1)
            if window is not None and window.held and isinstance(record.args, tuple):
                record.msg = template + " (and %d more like it in the last %.0f s)"
                record.args = (*record.args, window.held, now - window.start)
            return True
        if window.shown < self.burst:
            window.shown += 1
            return True
        window.held += 1
        self.held[template] += 1
        return False

    def summary(self) -> list[str]:
        """One line per kind of dropped input since the start: count and how many shown."""
        return [f"{count} x {template!r} ({count - self.held[template]} shown)"
                for template, count in self.seen.most_common()]
