"""The Slack edge: a bolt AsyncApp (signature and timestamp checks, url_verification, ack-then-work)
wired to the engine, plus the state it shares with its listeners."""
from __future__ import annotations

import asyncio
import logging
import secrets
import weakref
from collections.abc import Coroutine
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore

from adapters.slack.dedupe import SeenEvents
from adapters.slack.oauth import oauth_settings
from adapters.slack.platform import SlackPlatform, team_of, web_client
from bot.copy import Copy, load_copy
from bot.engine.engine import Outcome
from bot.core.events import Event
from bot.core.port import DeliveryError
from bot.runtime import Runtime
from storage.identity import workspace_id as make_workspace_id
from storage.repositories.people import ensure_workspace

log = logging.getLogger(__name__)


class SlackEdge:
    """Everything the listeners need: the engine, the platform, the wording, the event ledger, and a
    record of work still running after an ack (so shutdown and tests can wait for it)."""

    def __init__(self, runtime: Runtime, wording: Copy) -> None:
        self.runtime = runtime
        self.wording = wording
        self.seen = SeenEvents(runtime.db, runtime.services.clock)
        self.store: AsyncInstallationStore | None = None
        self.signing_secret = ""
        self.platform: SlackPlatform
        self.app: AsyncApp
        self._tasks: set[asyncio.Task[Any]] = set()
        self._channel_locks: weakref.WeakValueDictionary[tuple[str, str], asyncio.Lock] = \
            weakref.WeakValueDictionary()
        self._busy = 0

    @property
    def busy(self) -> int:
        """Engine calls and background writes still running."""
        return self._busy + len(self._tasks)

    async def handle(self, event: Event) -> Outcome:
        """One engine call; a crash is logged and becomes an error outcome, never a lost request."""
        self._busy += 1
        try:
            return await self.runtime.engine.handle(event)
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
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.busy and loop.time() < deadline:
            await asyncio.sleep(0.01)
        if self.busy:
            raise TimeoutError(f"Slack work still running after {timeout} s")

    async def first_time(self, body: dict[str, Any]) -> bool:
        """False for a retry of an event already handled. Checked after the ack, in the listener, so
        the database write never delays the ack (SQLite serialises writers)."""
        event_id = str(body.get("event_id") or "")
        if not event_id:
            return True
        if await self.seen.first_time(event_id, str(body.get("team_id", "")),
                                      str((body.get("event") or {}).get("type", ""))):
            return True
        log.info("Slack event %s already handled; this retry was acknowledged and is not processed", event_id)
        return False

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


def workspace_id_of(context: dict[str, Any], body: dict[str, Any]) -> str:
    team = context.get("team_id") or body.get("team_id") or (body.get("team") or {}).get("id") \
        or context.get("enterprise_id") or ""
    return make_workspace_id("slack", str(team))


def build_edge(runtime: Runtime, *, socket_mode: bool = False) -> SlackEdge:
    """Single-workspace with SLACK_BOT_TOKEN, or OAuth with SLACK_CLIENT_ID/SECRET and the stores."""
    from adapters.slack.listeners import actions, commands, events, views

    settings = runtime.settings
    if settings.slack_signing_secret is not None:
        signing_secret = settings.slack_signing_secret.get_secret_value()
    elif socket_mode:  # Socket Mode needs no signature; HTTP requests then fail verification, as they should
        signing_secret = secrets.token_hex(32)
    else:
        raise RuntimeError("SLACK_SIGNING_SECRET is not set: Slack requests cannot be verified")
    if not settings.slack_bot_token and not (settings.slack_client_id and settings.slack_client_secret):
        raise RuntimeError("set SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (OAuth)")
    edge = SlackEdge(runtime, load_copy("en", "slack"))
    edge.signing_secret = signing_secret
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    client = web_client(token, settings.slack_api_url)
    common: dict[str, Any] = {"signing_secret": signing_secret,
                              "client": client, "process_before_response": False,
                              "raise_error_for_unhandled_request": False, "logger": logging.getLogger("slack_bolt")}
    if token:
        edge.app = AsyncApp(**common)
    else:
        oauth = oauth_settings(settings, runtime.db.engine, on_saved=edge.installed)
        edge.store = oauth.installation_store
        edge.app = AsyncApp(oauth_settings=oauth, **common)
    edge.platform = SlackPlatform(runtime.db, edge.wording, token=token, store=edge.store,
                                  base_url=settings.slack_api_url, on_workspace_lost=edge.workspace_lost)

    for group in (commands, actions, views, events):
        group.register(edge.app, edge)
    return edge
