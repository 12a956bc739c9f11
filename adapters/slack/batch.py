"""Group commit: callers that arrive while the database is busy with one write share the next one.
Each caller hands in its item and awaits its own answer; one flush (one transaction, one statement)
answers the whole batch, so 200 events at once cost a few round trips instead of 200 (and, on
SQLite, a few turns of the single write lock instead of 200)."""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")
Answer = TypeVar("Answer")


class Batcher(Generic[Item, Answer]):
    """Runs `flush` on everything waiting, one batch at a time (at most `most` items each); a
    failed flush fails every caller of that batch with its exception, and the next batch still runs."""

    def __init__(self, flush: Callable[[list[Item]], Awaitable[Sequence[Answer]]], most: int = 500) -> None:
        self._flush, self._most = flush, most
        self._waiting: list[tuple[Item, asyncio.Future[Answer]]] = []
        self._runner: asyncio.Task[None] | None = None

    async def submit(self, item: Item) -> Answer:
        answer: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, answer))
        if self._runner is None:
            self._runner = asyncio.ensure_future(self._run())
        return await answer

    async def _run(self) -> None:
        try:
            while self._waiting:
                batch, self._waiting = self._waiting[:self._most], self._waiting[self._most:]
                try:
                    answers = await self._flush([item for item, _ in batch])
                except Exception as exc:
                    fail(batch, exc)
                    continue
                except BaseException:  # cancelled at shutdown: nobody may wait forever
                    fail(batch + self._waiting, None)
                    self._waiting = []
                    raise
                for (_, answer), result in zip(batch, answers, strict=True):
                    if not answer.done():  # a caller that gave up (its ack budget) has no future left
                        answer.set_result(result)
        finally:
            self._runner = None


def fail(batch: list[tuple[Item, "asyncio.Future[Answer]"]], exc: Exception | None) -> None:
    """Every caller still waiting gets the flush's exception (or is cancelled with it)."""
    for _, answer in batch:
        if answer.done():
            continue
        if exc is None:
            answer.cancel()
        else:
            answer.set_exception(exc)
