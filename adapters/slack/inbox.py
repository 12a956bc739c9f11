"""Nothing acked is lost. The `durable` middleware stores each Events API event (with its verified
body) before bolt acks it, or, when the database can't take it within the ack budget, appends it to
the local spool; the listener reports whether the engine could finish it. `Replayer` brings back,
in order, what was spooled and what was stored but never finished, through bolt again (re-signed
with our own secret and marked as a replay), so every listener and rule applies unchanged."""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, Protocol

from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier
from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp

    from adapters.slack.dedupe import SeenEvents
    from adapters.slack.spool import Spool
    from bot.runtime import Runtime

log = logging.getLogger(__name__)
REPLAY_HEADER = "x-gofirst-replay"
ACK_BUDGET = 1.5          # seconds the store may take before the event goes to the spool instead
UNFINISHED_AFTER = timedelta(seconds=60)


class Host(Protocol):
    """What the inbox needs of the Slack edge (kept to this, so the two modules don't import each other)."""

    runtime: "Runtime"
    seen: "SeenEvents"
    spool: "Spool"
    signing_secret: str
    app: "AsyncApp"

    def spawn(self, work: Coroutine[Any, Any, Any]) -> "asyncio.Task[Any]": ...



@dataclass
class Handling:
    """One event's fate as its listener reports it: `retry` when the engine could not finish it."""

    event_id: str
    retry: bool = False


HANDLING = "gofirst_handling"   # the bolt context key the durable middleware leaves it under
CURRENT: ContextVar[Handling | None] = ContextVar("gofirst_slack_event", default=None)  # in its listener's task


def identity(body: dict[str, Any]) -> tuple[str, str, str]:
    event = body.get("event") if isinstance(body.get("event"), dict) else {}
    return str(body.get("event_id") or ""), str(body.get("team_id") or ""), str((event or {}).get("type") or "")


async def accept(edge: Host, raw: str, body: dict[str, Any]) -> bool:
    """Stores a first delivery (True: handle it now). A retry of a stored event, or an event the
    database couldn't take (spooled for later), is acked without being handled now (False)."""
    event_id, team, kind = identity(body)
    try:
        new = await asyncio.wait_for(edge.seen.first_time(event_id, team, kind, body=raw), ACK_BUDGET)
    except (DBAPIError, OSError, asyncio.TimeoutError) as exc:
        await edge.spool.append(raw)
        log.error("Slack event %s kept in the local spool: database unavailable (%s)", event_id, type(exc).__name__)
        return False
    if not new:
        log.info("Slack event %s already received; this retry was acknowledged and is not processed", event_id)
    return new


def finished(edge: Host, handling: Handling, task: "asyncio.Task[Any]") -> None:
    """A listener ended: a finished event no longer needs its body; a cut-short one is replayed."""
    if task.cancelled() or task.exception() is not None or handling.retry:
        log.warning("Slack event %s not finished; it will be replayed", handling.event_id)
        return
    edge.spawn(_mark_done(edge, handling.event_id))


async def _mark_done(edge: Host, event_id: str) -> None:
    try:
        await edge.seen.done(event_id)
    except (DBAPIError, OSError) as exc:
        log.warning("Slack event %s handled but not marked done (%s)", event_id, type(exc).__name__)


class Replayer:
    def __init__(self, edge: Host, interval: float = 1.0) -> None:
        self.edge, self.interval = edge, interval
        self._task: asyncio.Task[None] | None = None

    async def run_once(self) -> int:
        """Replays the spool (in arrival order), then stored events left unfinished. Returns how many."""
        replayed = 0
        for n, raw in await self.edge.spool.oldest():
            try:
                body = json.loads(raw)
                event_id, team, kind = identity(body)
                new = await self.edge.seen.first_time(event_id, team, kind, body=raw)
            except (DBAPIError, OSError):
                return replayed  # still down: try again next round, nothing is lost
            await self.edge.spool.forget(n)
            if new:
                await self.replay(raw, event_id)
                replayed += 1
        older_than = self.edge.runtime.services.clock.now() - UNFINISHED_AFTER
        for event_id, raw in await self.edge.seen.unfinished(older_than):
            await self.replay(raw, event_id)
            replayed += 1
        return replayed

    async def replay(self, raw: str, event_id: str) -> None:
        stamp = str(int(time.time()))
        signature = SignatureVerifier(self.edge.signing_secret).generate_signature(timestamp=stamp, body=raw)
        request = AsyncBoltRequest(body=raw, headers={
            "content-type": "application/json", "x-slack-request-timestamp": stamp,
            "x-slack-signature": signature or "", REPLAY_HEADER: event_id})
        await self.edge.app.async_dispatch(request)  # its listener tracks itself (edge.ListenerStart)

    async def _loop(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:  # a bad round must not end the replays
                log.exception("replaying Slack events failed; trying again")
            await asyncio.sleep(self.interval)

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="gofirst-slack-replay")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
