"""An in-process broadcaster: every open page gets every playground event, in order."""
from __future__ import annotations

import asyncio
import logging
from typing import Any

log = logging.getLogger(__name__)
QUEUE_LIMIT = 1000


class Broadcaster:
    """Fans events out to subscriber queues. A subscriber too slow to keep up is dropped (its page
    reconnects and reloads the state) rather than letting memory grow without bound."""

    def __init__(self) -> None:
        self._subscribers: set[asyncio.Queue[dict[str, Any] | None]] = set()
        self.closed = False

    def subscribe(self) -> asyncio.Queue[dict[str, Any] | None]:
        queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue(maxsize=QUEUE_LIMIT)
        if self.closed:
            queue.put_nowait(None)
        else:
            self._subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[dict[str, Any] | None]) -> None:
        self._subscribers.discard(queue)

    @property
    def count(self) -> int:
        return len(self._subscribers)

    def publish(self, event: dict[str, Any]) -> None:
        for queue in list(self._subscribers):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                log.warning("a playground page fell %d events behind; disconnecting it", QUEUE_LIMIT)
                self._subscribers.discard(queue)
                self._end(queue)

    def close(self) -> None:
        """Ends every stream (server shutdown), so open pages don't hold the shutdown up."""
        self.closed = True
        for queue in list(self._subscribers):
            self._end(queue)
        self._subscribers.clear()

    @staticmethod
    def _end(queue: asyncio.Queue[dict[str, Any] | None]) -> None:
        while True:
            try:
                queue.put_nowait(None)
                return
            except asyncio.QueueFull:
                queue.get_nowait()
