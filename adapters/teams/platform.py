"""The `teams` platform: the engine's messages as Adaptive Cards, sent proactively through the
Bot Connector at each conversation's service URL, paced and retried (see limits.py)."""
from __future__ import annotations

import asyncio
import json
import logging
import random
from contextvars import ContextVar
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import aiohttp
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    Attachment,
    ChannelAccount,
    ConversationParameters,
    ConversationReference,
)
from msrest.exceptions import ClientRequestError, HttpOperationError
from msrest.universal_http.requests import ClientRetryPolicy

from adapters.teams import cards
from adapters.teams.limits import SendFailure, SlidingLimiter, Sleep, with_retries
from adapters.teams.references import Conversation, Recent, ReferenceStore
from bot.core.messages import Form, HomeView, Message, Sent
from bot.core.port import DeliveryError, Profile
from storage.identity import native_of

log = logging.getLogger(__name__)
T = TypeVar("T")
REPLACEABLE = ("nudge", "preview", "form")  # cards a click may turn into the form it opens
# the card whose button is being handled, so a refreshed home view replaces it instead of stacking
CLICKED: ContextVar[tuple[str, str, str] | None] = ContextVar("gofirst_teams_clicked", default=None)
SEND_TIMEOUT = 15.0
# msrest sends with `requests` in the loop's default thread pool (a handful of threads): more calls
# at once only queue there, inside SEND_TIMEOUT, and a send that times out in the queue looks like
# one that may have arrived (left `unknown`). So at most this many are handed to the pool at once.
IN_POOL = 4
# botbuilder builds a connector client (and so a ClientRetryPolicy) for every proactive send, and
# msrest (archived upstream) tests each of 999 status codes against a 500-item list there: 8 ms of
# CPU, twice per nudge. The same codes as a set; what the policy retries is unchanged.
ClientRetryPolicy.safe_codes = frozenset(ClientRetryPolicy.safe_codes)  # type: ignore[assignment]


def trigger_for(conversation_id: str, activity_id: str, card_kind: str) -> str:
    """What an `ActionClicked.trigger` carries in Teams: the card that was clicked."""
    return json.dumps([conversation_id, activity_id, card_kind])


def parse_trigger(trigger: str | None) -> tuple[str, str, str] | None:
    try:
        conversation_id, activity_id, kind = json.loads(trigger or "")
        return str(conversation_id), str(activity_id), str(kind)
    except (ValueError, TypeError):
        return None


def card_activity(card: cards.Card, summary: str = "") -> Activity:
    return Activity(type=ActivityTypes.message, summary=summary[:200] or None,
                    attachments=[Attachment(content_type=cards.CARD_TYPE, content=card)])


def never_connected(exc: BaseException) -> bool:
    """The connection was refused before anything was sent (msrest wraps aiohttp's error)."""
    seen: BaseException | None = exc
    for _ in range(5):
        if seen is None:
            return False
        if isinstance(seen, (aiohttp.ClientConnectorError, ConnectionRefusedError)):
            return True
        seen = getattr(seen, "inner_exception", None) or seen.__cause__ or seen.__context__
    return False


def failure_from(exc: Exception, creates: bool = False) -> SendFailure:
    """The status, detail and Retry-After of whatever the connector raised. For a call that
    `creates` a message, no answer after the request left means it may have arrived."""
    if isinstance(exc, HttpOperationError) and exc.response is not None:
        response = exc.response
        status = getattr(response, "status_code", None) or getattr(response, "status", None)
        headers = getattr(response, "headers", {}) or {}
        retry_after = None
        try:
            header = headers.get("Retry-After")
            retry_after = float(header) if header else None
        except ValueError:
            retry_after = None
        body = ""
        try:
            body = response.text()[:200] if callable(getattr(response, "text", None)) else ""
        except Exception:  # a body we cannot read adds nothing to the reason
            body = ""
        return SendFailure(int(status) if status else None, body or str(exc)[:200], retry_after)
    return SendFailure(None, f"{type(exc).__name__}: {exc}"[:200], maybe_delivered=creates and not never_connected(exc))


class TeamsPlatform:
    name = "teams"

    def __init__(self, adapter: CloudAdapter, app_id: str, refs: ReferenceStore, limiter: SlidingLimiter,
                 sleep: Sleep, rng: random.Random | None = None, attempts: int = 4) -> None:
        self.adapter, self.app_id, self.refs, self.limiter = adapter, app_id, refs, limiter
        self.sleep, self.rng, self.attempts = sleep, rng or random.Random(), attempts
        self._pool = asyncio.Semaphore(IN_POOL)
        self.form_values: Recent[Form] = Recent()
        self.cards: Recent[cards.Card] = Recent()  # what each recent card showed, to rewrite it later
        self.accepted_forms: Recent[bool] = Recent()  # form cards already accepted: a second click is ignored

    # --- the Platform port -------------------------------------------------------------------
    async def send_dm(self, workspace_id: str, user_id: str, message: Message) -> Sent:
        conv = await self._personal(workspace_id, user_id)
        card = cards.message_card(message)
        activity_id = await self._send(conv, card_activity(card, message.title or message.text))
        self.cards[activity_id] = card
        return Sent(conv.conversation_id, activity_id)

    async def post(self, workspace_id: str, channel_id: str, message: Message, thread_id: str | None = None) -> Sent:
        conv = await self.refs.conversation(workspace_id, channel_id)
        if conv is None or conv.gone_reason:
            raise DeliveryError(f"GoFirst is not in channel {channel_id}", permanent=True, scope="channel")
        target = f"{conv.conversation_id};messageid={thread_id}" if thread_id else conv.conversation_id
        activity = card_activity(cards.message_card(message), message.title or message.text)
        return Sent(conv.conversation_id, await self._send(conv, activity, target))

    async def update(self, workspace_id: str, sent: Sent, message: Message) -> None:
        await self._replace(workspace_id, sent.channel_id, sent.message_id, cards.message_card(message))

    async def open_form(self, workspace_id: str, user_id: str, form: Form, trigger: str | None = None) -> None:
        """Opens the form in place of the card that was clicked, or as a new card in the chat."""
        source = parse_trigger(trigger)
        card = cards.form_card(form)
        if source and source[2] in REPLACEABLE:
            try:
                await self._replace(workspace_id, source[0], source[1], card)
                self.form_values[source[1]] = form
                self.accepted_forms.pop(source[1], None)  # the card is a form again
                return
            except DeliveryError as exc:
                log.info("could not turn card %s into a form (%s); sending a new one", source[1], exc.reason)
        conv = await self._personal(workspace_id, user_id)
        activity_id = await self._send(conv, card_activity(card, form.title))
        self.form_values[activity_id] = form

    async def publish_home(self, workspace_id: str, user_id: str, view: HomeView) -> None:
        card, clicked = cards.home_card(view), CLICKED.get()
        if clicked and clicked[2] == "home":
            try:
                await self._replace(workspace_id, clicked[0], clicked[1], card)
                return
            except DeliveryError as exc:
                log.info("could not refresh home card %s (%s); sending a new one", clicked[1], exc.reason)
        conv = await self._personal(workspace_id, user_id)
        await self._send(conv, card_activity(card, view.title))

    async def fetch_profile(self, workspace_id: str, user_id: str) -> Profile | None:
        conv = await self.refs.personal(workspace_id, user_id)
        if conv and conv.name:
            return Profile(conv.name, conv.tz)
        seen = self.refs.profiles.get(f"{workspace_id}/{user_id}")
        return Profile(seen[0], seen[1]) if seen else None

    # --- what the handler uses -----------------------------------------------------------------
    async def replace_card(self, workspace_id: str, conversation_id: str, activity_id: str, card: cards.Card) -> None:
        await self._replace(workspace_id, conversation_id, activity_id, card)

    # --- delivery ------------------------------------------------------------------------------
    async def _replace(self, workspace_id: str, conversation_id: str, activity_id: str, card: cards.Card) -> None:
        conv = await self.refs.conversation(workspace_id, conversation_id)
        if conv is None:
            raise DeliveryError(f"no Teams conversation {conversation_id} to update", permanent=True)
        activity = card_activity(card)
        activity.id = activity_id

        async def op(context: TurnContext) -> None:
            await context.update_activity(activity)

        # a refused update means that one message is gone or not ours, not that the person left
        await self._deliver(conv, op, conv.conversation_id, refusal_means_gone=False)

    async def _send(self, conv: Conversation, activity: Activity, target: str | None = None) -> str:
        async def op(context: TurnContext) -> str:
            # straight to the conversation: TurnContext.send_activity would make it a reply to the
            # made-up id of botbuilder's continuation activity
            outgoing = TurnContext.apply_conversation_reference(activity, reference_of(context))
            outgoing.reply_to_id = None
            client = context.turn_state[self.adapter.BOT_CONNECTOR_CLIENT_KEY]
            response = await client.conversations.send_to_conversation(outgoing.conversation.id, outgoing)
            return response.id if response and response.id else ""

        return await self._deliver(conv, op, target or conv.conversation_id, creates=True)

    async def _deliver(self, conv: Conversation, op: Callable[[TurnContext], Awaitable[T]], target: str,
                       refusal_means_gone: bool = True, creates: bool = False) -> T:
        """Paces, sends and retries one call; a refused send (403/404) marks the conversation gone."""
        reference = ConversationReference().deserialize(conv.reference)
        reference.conversation.id = target
        tenant = conv.workspace_id
        scope = ("person" if conv.kind == "personal" else "channel") if refusal_means_gone else None

        async def attempt() -> T:
            await self.limiter.acquire(tenant, conv.conversation_id)
            outcome: dict[str, Any] = {}

            async def callback(context: TurnContext) -> None:
                try:
                    outcome["value"] = await op(context)
                except Exception as exc:  # raised again below, outside botbuilder's pipeline
                    outcome["error"] = exc

            try:
                async with self._pool:
                    await asyncio.wait_for(self.adapter.continue_conversation(reference, callback, self.app_id),
                                           SEND_TIMEOUT)
            except (asyncio.TimeoutError, aiohttp.ClientError, ClientRequestError, HttpOperationError) as exc:
                outcome["error"] = exc
            if "error" in outcome:
                error = outcome["error"]
                if isinstance(error, (HttpOperationError, ClientRequestError, aiohttp.ClientError,
                                      asyncio.TimeoutError, OSError)):
                    raise failure_from(error, creates)
                raise error
            return outcome["value"]

        try:
            return await with_retries(attempt, sleep=self.sleep, rng=self.rng, attempts=self.attempts,
                                      scope_if_gone=scope)
        except DeliveryError as exc:
            if exc.permanent and exc.scope:
                await self.refs.mark_gone(conv, exc.reason)
            raise

    async def _personal(self, workspace_id: str, user_id: str) -> Conversation:
        """The person's 1:1 chat with the bot, opened with create_conversation when there is none."""
        conv = await self.refs.personal(workspace_id, user_id)
        if conv is not None:
            if conv.gone_reason:
                raise DeliveryError(conv.gone_reason, permanent=True, scope="person")
            return conv
        seed = await self.refs.any_in(workspace_id)
        if seed is None:
            raise DeliveryError(f"GoFirst is not installed in {workspace_id}", permanent=True, scope="workspace")
        return await self._open_chat(seed, workspace_id, user_id)

    async def _open_chat(self, seed: Conversation, workspace_id: str, user_id: str) -> Conversation:
        seed_ref = ConversationReference().deserialize(seed.reference)
        tenant_id = native_of(workspace_id, "teams")
        params = ConversationParameters(is_group=False, bot=seed_ref.bot, members=[ChannelAccount(id=user_id)],
                                        tenant_id=tenant_id, channel_data={"tenant": {"id": tenant_id}})
        found: dict[str, ConversationReference] = {}

        async def callback(context: TurnContext) -> None:
            found["ref"] = TurnContext.get_conversation_reference(context.activity)

        async def attempt() -> None:
            await self.limiter.acquire(workspace_id, f"create:{user_id}")
            try:
                async with self._pool:
                    await asyncio.wait_for(self.adapter.create_conversation(
                        self.app_id, callback, params, seed_ref.channel_id or "msteams", seed.service_url),
                        SEND_TIMEOUT)
            except (asyncio.TimeoutError, aiohttp.ClientError, ClientRequestError, HttpOperationError, OSError) as exc:
                raise failure_from(exc) from exc

        await with_retries(attempt, sleep=self.sleep, rng=self.rng, attempts=self.attempts, scope_if_gone="person")
        ref = found["ref"]
        ref.user = ChannelAccount(id=user_id)
        conv = Conversation(workspace_id, ref.conversation.id, "personal", seed.service_url, ref.serialize(),
                            user_id=user_id)
        await self.refs.learned(conv)
        return conv


def reference_of(context: TurnContext) -> ConversationReference:
    return TurnContext.get_conversation_reference(context.activity)
