"""The delivery worker: every replica runs one. Nudges go out in one lane per workspace, each
lane on its own: it claims a batch of its workspace's due rows, sends them a few at a time, and
when nothing is claimable sleeps exactly until its next row is due (a 429's Retry-After, the next
working moment) or ends if that is far off. Every workspace is held to its own platform limits (a
429 pauses that workspace's lane, not the others), so ten workspaces deliver ten times what one
does, and no lane waits for a slower one. Beside the lanes, every `interval` seconds the worker
recovers rows a crashed worker left in `sending`, starts lanes for workspaces with due rows,
sends due reminders and settles posts (shares, answers, digests) a dead process left behind. A
failure (database down) is logged and tried again: nothing is lost, the rows stay in the outbox."""
from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from dataclasses import dataclass

from bot.core.services import Services
from bot.delivery import digest_schedule, posts
from bot.delivery.batch import deliver_batch, unlocked
from bot.delivery.outbox import claim_due, due_workspaces, next_due
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
    """`lanes` workspaces at once, `in_flight` sends each, `batch` rows a claim. `run_once` is one
    pass that drains what is due (for `pass_seconds` at most); the running worker keeps lanes
    going independently and lets an idle lane wait up to `linger` seconds for its next row."""

    def __init__(self, services: Services, policy: Policy = Policy(), interval: float = 5.0, batch: int = 20,
                 *, lanes: int = 100, in_flight: int = 4, pass_seconds: float = 20.0, linger: float = 60.0) -> None:
        self.services, self.policy, self.interval, self.batch = services, policy, interval, batch
        self.lanes, self.in_flight, self.pass_seconds, self.linger = lanes, in_flight, pass_seconds, linger
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._running: dict[str, asyncio.Task[int]] = {}

    async def run_once(self) -> Pass:
        result = Pass(recovered=await recover_stuck(self.services, self.policy))
        deadline = time.monotonic() + self.pass_seconds
        workspaces = await due_workspaces(self.services, self.lanes)
        result.delivered = sum(await asyncio.gather(*(self._lane(ws, deadline, linger=0.0) for ws in workspaces)))
        await self._chores(result)
        return result

    async def _chores(self, result: Pass) -> None:
        result.reminders = await send_reminders(self.services)
        result.posts = await posts.recover(self.services)
        result.posts += await digest_schedule.send_due_digests(self.services)

    async def _lane(self, workspace_id: str, deadline: float, linger: float) -> int:
        """One workspace's due nudges, oldest first, until none is due (within `linger` seconds),
        the deadline passes or the worker stops. Two batches at a time, so one is sending while
        the other is being recorded and claimed (claims never overlap)."""
        return sum(await asyncio.gather(*(self._batches(workspace_id, deadline, linger) for _ in range(2))))

    async def _batches(self, workspace_id: str, deadline: float, linger: float) -> int:
        """Claims and delivers batch after batch. A failure is logged and ends only this lane."""
        delivered = 0
        try:
            while time.monotonic() < deadline and not self._stop.is_set():
                claimed = await unlocked(lambda: claim_due(self.services, self.batch, workspace_id))
                if not claimed:
                    if not await self._idle(workspace_id, min(linger, deadline - time.monotonic())):
                        break
                    continue
                outcomes = await deliver_batch(self.services, claimed, self.policy, in_flight=self.in_flight)
                delivered += sum(1 for n in outcomes if n is not None and n.state == NudgeState.SENT)
        except Exception:  # database down mid-lane: the claimed rows are recovered after their lease
            log.exception("delivery to %s stopped for now", workspace_id)
        return delivered

    async def _idle(self, workspace_id: str, linger: float) -> bool:
        """Sleeps until the workspace's next row may be claimed, if that is within `linger`."""
        if linger <= 0:
            return False
        due = await next_due(self.services, workspace_id)
        if due is None:
            return False
        wait = (due - self.services.clock.now()).total_seconds()
        if wait > linger:
            return False
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._stop.wait(), timeout=max(wait, 0.01))
        return True

    def _start_lanes(self, workspaces: list[str]) -> None:
        for workspace_id in workspaces:
            if workspace_id not in self._running and len(self._running) < self.lanes:
                task = asyncio.create_task(self._lane(workspace_id, float("inf"), self.linger),
                                           name=f"gofirst-lane-{workspace_id}")
                self._running[workspace_id] = task
                task.add_done_callback(functools.partial(self._ended, workspace_id))

    def _ended(self, workspace_id: str, _task: asyncio.Task[int]) -> None:
        self._running.pop(workspace_id, None)

    async def _round(self) -> None:
        """What the running worker does every `interval`, beside the lanes already running."""
        await recover_stuck(self.services, self.policy)
        self._start_lanes(await due_workspaces(self.services, self.lanes))
        await self._chores(Pass())

    async def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                await self._round()
            except Exception:  # database down, a platform bug: log it and try again next time
                log.exception("delivery round failed; retrying in %.0fs", self.interval)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._stop.wait(), timeout=self.interval)
        await asyncio.gather(*self._running.values(), return_exceptions=True)

    def start(self) -> None:
        self._stop.clear()
        self._task = asyncio.create_task(self._loop(), name="gofirst-delivery")

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(self._task, timeout=10)
            self._task = None
