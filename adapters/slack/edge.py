"""What the Slack listeners share: the engine, the platform, the wording, the event ledger, and a
record of work still running after an ack (so shutdown and tests can wait for it)."""
from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import weakref
from collections.abc import Coroutine
from contextvars import ContextVar
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.listener.async_listener_start_handler import AsyncListenerStartHandler
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore

from adapters.slack.ackfirst import AckFirst
from adapters.slack.dedupe import SeenEvents
from adapters.slack.inbox import CURRENT, HANDLING, Handling, Replayer, finished
from adapters.slack.spool import Spool, spool_path
from adapters.slack.platform import SlackPlatform, team_of
from bot.copy import Copy
from bot.core.events import Event
from bot.core.port import DeliveryError
from bot.engine.engine import Outcome
from bot.runtime import Runtime
from storage.identity import workspace_id as make_workspace_id
from storage.repositories.people import ensure_workspace

log = logging.getLogger(__name__)
WORK_SLOTS = 16   # engine calls at once after their acks: the rest wait, so a burst's acks keep the CPU
WORK_BACKLOG = 5000   # work waiting for acks to finish before it starts anyway (ackfirst.py)
ACK: ContextVar[AsyncAck | None] = ContextVar("gofirst_slack_ack", default=None)  # in its listener's task


class ListenerStart(AsyncListenerStartHandler):
    """Bolt runs this first inside each listener's own task (it acks, then works on): the task is
    tracked for shutdown from its first step, and an Events API listener reports its event's end.
    Finding the task this way costs the same however many requests are in flight."""

    def __init__(self, edge: "SlackEdge") -> None:
        self.edge = edge

    async def handle(self, request: AsyncBoltRequest, response: BoltResponse | None) -> None:
        task = asyncio.current_task()
        if task is None:
            return
        self.edge.track(task)
        ACK.set(request.context.ack)
        handling = request.context.get(HANDLING)  # left there by the durable middleware
        if isinstance(handling, Handling):
            CURRENT.set(handling)  # this task's own context: `handle` marks a retry on it
            task.add_done_callback(functools.partial(finished, self.edge, handling))


class SlackEdge:
    """Everything the listeners need: the engine, the platform, the wording, the event ledger, and a
    record of work still running after an ack (so shutdown and tests can wait for it)."""

    def __init__(self, runtime: Runtime, wording: Copy) -> None:
        self.runtime = runtime
        self.wording = wording
        self.seen = SeenEvents(runtime.db, runtime.services.clock)
        self.spool = Spool(spool_path(runtime.settings.database_url))
        self.replayer = Replayer(self)
        self.store: AsyncInstallationStore | None = None
        self.signing_secret = ""
        self.platform: SlackPlatform
        self.app: AsyncApp
        self._tasks: set[asyncio.Task[Any]] = set()
        self._channel_locks: weakref.WeakValueDictionary[tuple[str, str], asyncio.Lock] = \
            weakref.WeakValueDictionary()
        self._busy = 0
        self.ack_first = AckFirst(WORK_SLOTS, WORK_BACKLOG)

    @property
    def busy(self) -> int:
        """Engine calls and background writes still running."""
        return self._busy + len(self._tasks)

    async def handle(self, event: Event) -> Outcome:
        """One engine call; a crash is logged and becomes an error outcome, never a lost request.
        Once its request is acked it waits its turn (ackfirst.py); an ack that waits on it never does."""
        self._busy += 1
        ack = ACK.get()
        try:
            async with self.ack_first.work() if ack is not None and ack.response is not None \
                    else contextlib.nullcontext():
                outcome = await self.runtime.engine.handle(event)
            handling = CURRENT.get()
            if outcome.retry_later and handling is not None:
                handling.retry = True  # the database went away mid-way: replayed once it is back
            return outcome
        except Exception:
            log.exception("%s from %s failed in the engine", type(event).__name__, event.workspace_id)
            return Outcome(error=self.wording("command.failed"))
        finally:
            self._busy -= 1

    def channel_lock(self, workspace_id: str, channel_id: str) -> asyncio.Lock:
        """A lock per channel, dropped when nobody holds or waits for it."""
        key = (workspace_id, channel_id)
        lock = self._channel_locks.get(key)
        if lock is None:
            lock = self._channel_locks[key] = asyncio.Lock()
        return lock

    def spawn(self, work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        return self.track(asyncio.ensure_future(work))

    def track(self, task: asyncio.Task[Any]) -> asyncio.Task[Any]:
        """Work that outlives its request: kept referenced, counted, and waited for at shutdown."""
        if not task.done():
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return task

    async def idle(self, timeout: float = 10.0) -> None:
        """Waits (bounded) until no work is running: for graceful shutdown and for tests."""
        await asyncio.sleep(0)  # a listener bolt has just started takes its first step (and is tracked)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.busy and loop.time() < deadline:
            await asyncio.sleep(0.01)
        if self.busy:
            raise TimeoutError(f"Slack work still running after {timeout} s")

    async def workspace_lost(self, workspace_id: str, reason: str) -> None:
        """A token stopped working: mark the workspace inactive so nothing more is sent. Platform
        calls run outside every transaction, so this write waits on nobody."""
        self.platform.forget(team_of(workspace_id))
        await self._mark(workspace_id, False, reason)

    async def uninstalled(self, workspace_id: str, reason: str) -> None:
        """app_uninstalled or the bot's tokens revoked: forget the tokens, stop every send."""
        team = team_of(workspace_id)
        self.platform.forget(team)
        if self.store is not None:
            await self.store.async_delete_all(enterprise_id=None, team_id=team)
        await self._mark(workspace_id, False, reason)

    async def check_token(self) -> None:
        """Single-workspace start-up: a token that works (again) makes its workspace active again, e.g.
        after a revoked token was replaced; one that doesn't is reported in one line."""
        if not self.platform.token:
            return
        try:
            team_id = await self.platform.identify()
        except DeliveryError as exc:
            log.error("SLACK_BOT_TOKEN was refused by Slack (%s): nothing will be sent until it is replaced",
                      exc.reason)
            return
        await self._mark(make_workspace_id("slack", team_id), True, "SLACK_BOT_TOKEN accepted by auth.test")

    async def installed(self, enterprise_id: str | None, team_id: str | None) -> None:
        if team_id:
            self.platform.forget(team_id)
            await self._mark(make_workspace_id("slack", team_id), True, "installed")

    async def _mark(self, workspace_id: str, active: bool, reason: str) -> None:
        async with self.runtime.db.session() as session:
            workspace = await ensure_workspace(session, workspace_id)
            if workspace.active != active:
                workspace.active = active
                session.add(workspace)
                log.warning("Slack workspace %s is now %s (%s)", workspace_id,
                            "active" if active else "inactive", reason)
