"""Acks before work. Slack gives an ack 3 s, the work behind it has no such clock, and both share one
process's CPU (and a small machine's cores): so work that follows an ack starts once acks pause
(none in progress for `quiet` seconds), or once the oldest piece of work has waited `longest`
seconds, or once more than `backlog` pieces wait; a stream of acks can't starve work for longer
than that, and memory stays bounded. At most `slots` pieces run at once."""
from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator, Iterator


class AckFirst:
    def __init__(self, slots: int, backlog: int, quiet: float = 0.05, longest: float = 5.0) -> None:
        self.slots, self.backlog, self.quiet, self.longest = slots, backlog, quiet, longest
        self.acking = 0       # requests on their way to an ack right now
        self.running = 0      # pieces of work admitted and not yet finished
        self._last_ack = 0.0  # loop time the last ack was answered
        self._queue: deque[tuple[float, asyncio.Future[None]]] = deque()
        self._timer: asyncio.TimerHandle | None = None

    @property
    def waiting(self) -> int:
        return len(self._queue)

    @contextlib.contextmanager
    def ack(self) -> Iterator[None]:
        """Around one request's way to its ack: work waits for it."""
        self.acking += 1
        try:
            yield
        finally:
            self.acking -= 1
            self._last_ack = asyncio.get_running_loop().time()
            self._admit()

    @contextlib.asynccontextmanager
    async def work(self) -> AsyncIterator[None]:
        """Around one piece of work that follows an ack."""
        loop = asyncio.get_running_loop()
        if self._queue or not self._may_start(loop.time(), extra=1):
            entry = (loop.time(), loop.create_future())
            self._queue.append(entry)
            self._admit()  # arms the timer that admits it later
            try:
                await entry[1]
            except asyncio.CancelledError:
                if entry[1].cancelled():  # cancelled while it waited
                    self._queue.remove(entry)
                else:  # admitted, then cancelled before it ran
                    self._finish()
                raise
        else:
            self.running += 1
        try:
            yield
        finally:
            self._finish()

    def _may_start(self, now: float, extra: int = 0) -> bool:
        if self.running >= self.slots:
            return False
        oldest = self._queue[0][0] if self._queue else now
        return (self.waiting + extra > self.backlog or now - oldest >= self.longest
                or (not self.acking and now - self._last_ack >= self.quiet))

    def _finish(self) -> None:
        self.running -= 1
        self._admit()

    def _admit(self) -> None:
        loop = asyncio.get_running_loop()
        while self._queue and self._may_start(loop.time()):
            self.running += 1
            self._queue.popleft()[1].set_result(None)
        if not self._queue or self.running >= self.slots:
            return  # nothing waits, or a finishing piece admits the next
        due = self._queue[0][0] + self.longest
        if not self.acking:
            due = min(due, self._last_ack + self.quiet)
        if self._timer is not None:
            if self._timer.when() <= due:
                return
            self._timer.cancel()
        self._timer = loop.call_at(due, self._tick)

    def _tick(self) -> None:
        self._timer = None
        self._admit()
