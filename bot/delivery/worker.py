"""The delivery worker: every replica runs one. Each pass recovers rows a crashed worker left in
`sending`, sends due nudges, sends due reminders, then settles posts (shares, answers, digests) a
dead process left behind. Nudges go out in one lane per workspace, all lanes at once, each with a
few sends in flight: every workspace is held to its own platform limits (a 429 pauses that
workspace's lane, not the others), so ten workspaces deliver ten times what one does. A failing
pass (database down) is logged and the next pass tries again: nothing is lost, because the rows
stay in the outbox."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass

from bot.core.services import Services
from bot.delivery import digest_schedule, posts
from bot.delivery.outbox import claim_due, deliver_claimed, due_workspaces
from bot.delivery.policy import Policy
from bot.delivery.recovery import recover_stuck
from bot.delivery.reminders import send_reminders
from bot.delivery.states import NudgeState

log = logging.getLogger(__name__)


@dataclass
class Pass:
    recovered: int = 0
    delivered: int = 0
    reminders: int = 0
    posts: int = 0


class DeliveryWorker:
    """`lanes` workspaces at once, `in_flight` sends each; a lane stops claiming after
    `pass_seconds` so reminders and recovery get their turn during a long fan-out."""

    def __init__(self, services: Services, policy: Policy = Policy(), interval: float = 5.0, batch: int = 20,
                 *, lanes: int = 100, in_flight: int = 4, pass_seconds: float = 20.0) -> None:
        self.services, self.policy, self.interval, self.batch = services, policy, interval, batch
        self.lanes, self.in_flight, self.pass_seconds = lanes, in_flight, pass_seconds
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def run_once(self) -> Pass:
        result = Pass(recovered=await recover_stuck(self.services, self.policy))
        deadline = time.monotonic() + self.pass_seconds
        workspaces = await due_workspaces(self.services, self.lanes)
        sent = await asyncio.gather(*(self._lane(ws, deadline) for ws in workspaces))
        result.delivered = sum(sent)
        result.reminders = await send_reminders(self.services)
        result.posts = await posts.recover(self.services)
        result.posts += await digest_schedule.send_due_digests(self.services)
        return result

    async def _lane(self, workspace_id: str, deadline: float) -> int:
        """One workspace's due nudges, oldest first, `in_flight` at a time, until none is due or
        the pass is over. A failure here is logged and leaves the rest of the pass alone."""
        delivered = 0
        try:
            while time.monotonic() < deadline and not self._stop.is_set():
                claimed = await claim_due(self.services, self.batch, workspace_id)
                if not claimed:
                    break
                # the first send goes alone: a throttled or uninstalled workspace answers it before
                # more of its sends are in flight
                groups = [claimed[:1]] + [claimed[n:n + self.in_flight] for n in range(1, len(claimed), self.in_flight)]
                for group in groups:
                    outcomes = await asyncio.gather(*(deliver_claimed(self.services, nudge_id, claim_id, self.policy)
                                                      for nudge_id, claim_id in group), return_exceptions=True)
                    for outcome in outcomes:
                        if isinstance(outcome, BaseException) and not isinstance(outcome, Exception):
                            raise outcome  # cancelled, or the process is going down
                        if isinstance(outcome, Exception):  # that row is recovered after its lease
                            log.error("delivery in %s failed: %r", workspace_id, outcome)
                        delivered += int(not isinstance(outcome, BaseException) and outcome is not None
                                         and outcome.state == NudgeState.SENT)
        except Exception:  # database down mid-lane: the claimed rows are recovered after their lease
            log.exception("delivery to %s stopped for this pass", workspace_id)
        return delivered

    async def _loop(self) -> None:
        while not self._stop.is_set():
            busy = False
            try:
                busy = bool((await self.run_once()).delivered)
            except Exception:  # database down, a platform bug: log it and try again next pass
                log.exception("delivery pass failed; retrying in %.0fs", self.interval)
            if busy:  # a backlog: the next pass starts at once
                continue
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
