"""The delivery worker: every replica runs one. Each pass recovers rows a crashed worker left in
`sending`, claims and sends due nudges, sends due reminders, then settles posts (shares, answers,
digests) a dead process left behind. A failing pass (database down)
is logged and the next pass tries again: nothing is lost, because the rows stay in the outbox."""
from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from bot.core.services import Services
from bot.delivery import digest_schedule, posts
from bot.delivery.outbox import claim_due, deliver_claimed
from bot.delivery.policy import Policy
from bot.delivery.recovery import recover_stuck
from bot.delivery.reminders import send_reminders

log = logging.getLogger(__name__)


@dataclass
class Pass:
    recovered: int = 0
    delivered: int = 0
    reminders: int = 0
    posts: int = 0


class DeliveryWorker:
    def __init__(self, services: Services, policy: Policy = Policy(), interval: float = 5.0, batch: int = 20) -> None:
        self.services, self.policy, self.interval, self.batch = services, policy, interval, batch
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def run_once(self) -> Pass:
        result = Pass(recovered=await recover_stuck(self.services, self.policy))
        for _ in range(50):  # bounded: a big backlog is worked off over several passes
            claimed = await claim_due(self.services, self.batch)
            if not claimed:
                break
            for nudge_id, claim_id in claimed:
                nudge = await deliver_claimed(self.services, nudge_id, claim_id, self.policy)
                result.delivered += int(nudge is not None and nudge.state == "sent")
        result.reminders = await send_reminders(self.services)
        result.posts = await posts.recover(self.services)
        result.posts += await digest_schedule.send_due_digests(self.services)
        return result

    async def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                await self.run_once()
            except Exception:  # database down, a platform bug: log it and try again next pass
                log.exception("delivery pass failed; retrying in %.0fs", self.interval)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._stop.wait(), timeout=self.interval)

    def start(self) -> None:
        self._stop.clear()
        self._task = asyncio.create_task(self._loop(), name="gofirst-delivery")

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(self._task, timeout=10)
            self._task = None
