"""The `slack` platform: the engine's outbound messages as Web API calls, with retries for 429 and
5xx, and every Slack error turned into a DeliveryError the engine can act on."""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel import col, select

from adapters.slack import blocks
from adapters.slack.client import MAX_RETRY_AFTER, SharedHttp, web_client
from adapters.slack.errors import delivery_error, transport_error
from bot.copy import Copy, load_copy
from bot.delivery.pauses import Pauses
from bot.core.compose import SHARE_FORM
from bot.core.messages import Action, Form, HomeView, Message, Sent
from bot.core.port import DeliveryError, Profile
from bot.core.vocabulary import ActionId
from storage.db import Database
from storage.identity import BadWorkspaceId, native_of
from storage.tables import Nudge, Person, Workspace

log = logging.getLogger(__name__)
PROFILE_TTL = 3600.0
CLIENT_TTL = 30.0   # seconds a workspace's token and active flag are trusted without a look-up
RATE_LIMIT_TRIES = 3   # a 429 is waited out (shared with every sender) and the call tried again
NUDGE_EVENT = "gofirst_nudge"   # message metadata event_type of a marked DM
HISTORY_PAGE, HISTORY_PAGES = 50, 2   # find_sent reads at most the newest 100 messages of a DM
WorkspaceLost = Callable[[str, str], Awaitable[None]]


def team_of(workspace_id: str) -> str:
    try:
        return native_of(workspace_id, "slack")
    except BadWorkspaceId as exc:
        raise DeliveryError(str(exc), permanent=True) from None


class SlackPlatform:
    """Implements the engine's `Platform` port on the Slack Web API. One bot token (single
    workspace) or the installation store (OAuth); DMs go to the user id, which Slack turns into
    the app's Messages tab."""

    name = "slack"

    def __init__(self, db: Database, wording: Copy, *, token: str | None = None,
                 store: AsyncInstallationStore | None = None, base_url: str | None = None,
                 on_workspace_lost: WorkspaceLost | None = None, pauses: Pauses | None = None) -> None:
        self.db = db
        self.wording = wording
        self.token = token
        self.store = store
        self.base_url = base_url
        self.on_workspace_lost = on_workspace_lost
        self.pauses = pauses or Pauses(db)
        self.http = SharedHttp()
        self._clients: dict[str, AsyncWebClient] = {}
        self._known: dict[str, tuple[float, AsyncWebClient]] = {}   # team → (until, a client checked then)
        self._profiles: dict[tuple[str, str], tuple[float, Profile | None]] = {}
        self._dms: dict[tuple[str, str], str] = {}   # (workspace, user) → the app's DM channel (D…)

    # --- clients ------------------------------------------------------------------------------
    async def client(self, workspace_id: str) -> AsyncWebClient:
        """The client for a workspace; refuses (without calling Slack) once it is uninstalled. What
        the database and the installation store said is kept for CLIENT_TTL seconds (an uninstall
        in this process forgets it at once), so a fan-out doesn't read and decrypt a token per call."""
        team, now = team_of(workspace_id), time.monotonic()
        session = self.http.session()
        known = self._known.get(team)
        if known is not None and known[0] > now and known[1].session is session:
            return known[1]
        async with self.db.session() as db_session:
            workspace = await db_session.get(Workspace, workspace_id)
        if workspace is not None and not workspace.active:
            raise DeliveryError("app_uninstalled", permanent=True, scope="workspace")
        if self.token:
            client = self._clients.get("")
            if client is None or client.session is not session:
                client = self._clients[""] = web_client(self.token, self.base_url, session)
            self._known[team] = (now + CLIENT_TTL, client)
            return client
        bot = await self.store.async_find_bot(enterprise_id=None, team_id=team) if self.store else None
        if bot is None or not bot.bot_token:
            self.forget(team)
            raise DeliveryError("no installation for this workspace", permanent=True, scope="workspace")
        cached = self._clients.get(team)
        if cached is None or cached.token != bot.bot_token or cached.session is not session:
            cached = self._clients[team] = web_client(bot.bot_token, self.base_url, session)
        self._known[team] = (now + CLIENT_TTL, cached)
        return cached

    async def identify(self) -> str:
        """The team the single-workspace token belongs to (auth.test)."""
        try:
            response = await web_client(self.token, self.base_url).auth_test()
        except SlackApiError as exc:
            raise delivery_error(exc) from None
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise transport_error(exc) from None
        return str(response.get("team_id", ""))

    def forget(self, team_id: str) -> None:
        self._clients.pop(team_id, None)
        self._known.pop(team_id, None)

    async def call(self, workspace_id: str, method: str, *, read: bool = False, **arguments: Any) -> dict[str, Any]:
        """One Web API call; `read` methods (users.info) take query parameters, not a JSON body."""
        client = await self.client(workspace_id)
        for attempt in range(RATE_LIMIT_TRIES):
            await self.pauses.wait(workspace_id, method, MAX_RETRY_AFTER)  # a 429 anyone got, anywhere
            try:
                if read:
                    response = await client.api_call(method, http_verb="GET", params=arguments)
                else:
                    response = await client.api_call(method, json=arguments)
            except SlackApiError as exc:
                error = delivery_error(exc)
                if getattr(exc.response, "status_code", None) == 429:
                    wait = error.retry_after or 1.0
                    await self.pauses.pause(workspace_id, method, wait)
                    if attempt + 1 < RATE_LIMIT_TRIES and wait <= MAX_RETRY_AFTER:
                        continue
                log.warning("Slack %s for %s failed: %s", method, workspace_id, error.reason)
                if error.scope == "workspace" and self.on_workspace_lost is not None:
                    await self.on_workspace_lost(workspace_id, error.reason)
                raise error from None
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                log.warning("Slack %s for %s unreachable: %s", method, workspace_id, type(exc).__name__)
                raise transport_error(exc, method) from None
            return dict(response.data) if isinstance(response.data, dict) else {}
        raise AssertionError("unreachable")

    # --- the Platform port --------------------------------------------------------------------
    async def send_dm(self, workspace_id: str, user_id: str, message: Message) -> Sent:
        return await self._post(workspace_id, user_id, message, None)

    async def post(self, workspace_id: str, channel_id: str, message: Message, thread_id: str | None = None) -> Sent:
        return await self._post(workspace_id, channel_id, message, thread_id)

    async def _post(self, workspace_id: str, channel: str, message: Message, thread_id: str | None,
                    metadata: dict[str, Any] | None = None) -> Sent:
        arguments: dict[str, Any] = {"channel": channel, "text": blocks.fallback_text(message),
                                     "blocks": blocks.message_blocks(message, self.wording),
                                     "unfurl_links": False, "unfurl_media": False,
                                     **blocks.sender_identity(message)}
        if thread_id:
            arguments["thread_ts"] = thread_id
        if metadata:
            arguments["metadata"] = metadata
        data = await self.call(workspace_id, "chat.postMessage", **arguments)
        landed = str(data.get("channel") or channel)
        if landed.startswith("D") and not channel.startswith("D"):
            self._dms[(workspace_id, channel)] = landed  # a DM to a user id: remember its channel
        return Sent(landed, str(data.get("ts", "")))

    # --- Traceable: exactly once across a crash (bot/delivery/capability.py) ---------------
    async def send_dm_marked(self, workspace_id: str, user_id: str, message: Message, marker: str) -> Sent:
        """A DM carrying the marker as message metadata, so `find_sent` can tell later whether it went out."""
        return await self._post(workspace_id, user_id, message, None,
                                metadata={"event_type": NUDGE_EVENT, "event_payload": {"marker": marker}})

    async def post_marked(self, workspace_id: str, channel_id: str, message: Message, thread_id: str | None,
                          marker: str) -> Sent:
        """A channel post or thread reply carrying the marker, for `find_posted` after a crash."""
        return await self._post(workspace_id, channel_id, message, thread_id,
                                metadata={"event_type": NUDGE_EVENT, "event_payload": {"marker": marker}})

    async def find_posted(self, workspace_id: str, channel_id: str, thread_id: str | None,
                          marker: str) -> Sent | None:
        """The post carrying `marker`: in the thread (conversations.replies) or the channel's newest
        100 messages (conversations.history). Errors raise DeliveryError: asked again later."""
        method = "conversations.replies" if thread_id else "conversations.history"
        where = {"channel": channel_id, **({"ts": thread_id} if thread_id else {})}
        return await self._find_marked(workspace_id, method, where, marker)

    async def find_sent(self, workspace_id: str, user_id: str, marker: str) -> Sent | None:
        """The DM carrying `marker`, or None if it never went out. Recovery runs minutes after a
        crash, so the newest 100 messages of the DM are plenty. Slack errors raise DeliveryError:
        the outbox then checks again later instead of resending."""
        channel = await self._dm_channel(workspace_id, user_id)
        return await self._find_marked(workspace_id, "conversations.history", {"channel": channel}, marker)

    async def _find_marked(self, workspace_id: str, method: str, where: dict[str, str], marker: str) -> Sent | None:
        cursor = ""
        for _ in range(HISTORY_PAGES):
            page: dict[str, Any] = {**where, "limit": HISTORY_PAGE, "include_all_metadata": "true"}
            if cursor:
                page["cursor"] = cursor
            data = await self.call(workspace_id, method, read=True, **page)
            for item in data.get("messages") or []:
                if carries(item, marker):
                    return Sent(where["channel"], str(item["ts"]))
            cursor = str((data.get("response_metadata") or {}).get("next_cursor") or "")
            if not data.get("has_more") or not cursor:
                break
        return None

    async def _dm_channel(self, workspace_id: str, user_id: str) -> str:
        """The app's DM with the person: remembered from a send, else from an earlier nudge's row
        (no extra scope needed), else `conversations.open` (which needs `im:write`)."""
        known = self._dms.get((workspace_id, user_id))
        if known is None:
            async with self.db.session() as session:
                query = (select(Nudge.channel_id).join(Person, col(Person.id) == col(Nudge.leader_id))
                         .where(col(Person.workspace_id) == workspace_id, col(Person.platform_user_id) == user_id,
                                col(Nudge.channel_id).startswith("D"))
                         .order_by(col(Nudge.id).desc()).limit(1))
                known = (await session.exec(query)).first()
        if known is None:
            data = await self.call(workspace_id, "conversations.open", users=user_id)
            known = str((data.get("channel") or {}).get("id") or "")
            if not known:
                raise DeliveryError("conversations.open returned no channel", permanent=False)
        self._dms[(workspace_id, user_id)] = known
        return known

    async def update(self, workspace_id: str, sent: Sent, message: Message) -> None:
        await self.call(workspace_id, "chat.update", channel=sent.channel_id, ts=sent.message_id,
                        text=blocks.fallback_text(message), blocks=blocks.message_blocks(message, self.wording))

    async def open_form(self, workspace_id: str, user_id: str, form: Form, trigger: str | None = None) -> None:
        """A modal needs a fresh trigger (3 s, from a click or slash command). Without one, e.g. after
        `share` typed in the DM, the person gets a button that brings a trigger with it."""
        if trigger:
            try:
                await self.call(workspace_id, "views.open", trigger_id=trigger,
                                view=blocks.form_view(form, self.wording))
                return
            except DeliveryError as exc:
                if exc.reason not in ("expired_trigger_id", "invalid_trigger_id", "exchanged_trigger_id"):
                    raise
        await self.send_dm(workspace_id, user_id, self.form_prompt(form))

    def form_prompt(self, form: Form) -> Message:
        """In the form's language, like the form itself."""
        words = self.wording if self.wording.locale == form.locale else load_copy(form.locale, "slack")
        if form.form_id == SHARE_FORM:
            return Message(kind="info", text=words("form.open_share_prompt"),
                           actions=(Action(ActionId.HOME_SHARE, words("form.open_share_button"), style="primary"),))
        return Message(kind="info", text=words("form.no_trigger"))

    async def publish_home(self, workspace_id: str, user_id: str, view: HomeView) -> None:
        await self.call(workspace_id, "views.publish", user_id=user_id, view=blocks.home_view(view))

    async def fetch_profile(self, workspace_id: str, user_id: str) -> Profile | None:
        """Name, timezone and locale from users.info, cached for an hour; None if Slack can't say."""
        key, now = (workspace_id, user_id), time.monotonic()
        cached = self._profiles.get(key)
        if cached is not None and now - cached[0] < PROFILE_TTL:
            return cached[1]
        try:
            data = await self.call(workspace_id, "users.info", read=True, user=user_id, include_locale="true")
        except DeliveryError as exc:
            log.info("no profile for %s in %s: %s", user_id, workspace_id, exc.reason)
            return None
        user = data.get("user") or {}
        profile_data = user.get("profile") or {}
        name = (profile_data.get("display_name") or profile_data.get("real_name") or user.get("real_name")
                or user.get("name") or user_id)
        locale = user.get("locale")
        profile = Profile(display_name=str(name), tz=user.get("tz") or None,
                          locale=locale if isinstance(locale, str) and locale else None)
        self._profiles[key] = (now, profile)
        return profile


def carries(item: dict[str, Any], marker: str) -> bool:
    """A message an app posted (people can't attach metadata from the client) with our marker."""
    metadata = item.get("metadata") or {}
    return (bool(item.get("bot_id")) and metadata.get("event_type") == NUDGE_EVENT
            and (metadata.get("event_payload") or {}).get("marker") == marker)
