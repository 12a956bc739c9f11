"""Turns Teams activities into engine events. Every activity first refreshes the conversation's
reference, so the bot can speak there later without being spoken to."""
from __future__ import annotations

import logging
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.schema import Activity, ChannelAccount
from botbuilder.schema.teams import TeamInfo

from adapters.teams import cards
from adapters.teams.activities import locale_of, mentions_bot, plain_text, split_thread, tenant_of, timezone_of
from adapters.teams.dedupe import SeenActivities
from adapters.teams.platform import CLICKED, TeamsPlatform, trigger_for
from adapters.teams.references import Conversation, ReferenceStore
from bot.copy import Copy, load_copy
from bot.core import events
from bot.core.vocabulary import COMMANDS
from bot.core.messages import Form, Message
from bot.core.port import DeliveryError
from bot.logs import bind_workspace
from bot.runtime import Runtime
from storage.identity import workspace_id as make_workspace_id
from storage.tables import Share

log = logging.getLogger(__name__)
HOME_WORDS = ("home", "hi", "hello", "start", "menu")


class GoFirstTeamsHandler(TeamsActivityHandler):
    def __init__(self, runtime: Runtime, platform: TeamsPlatform, refs: ReferenceStore, copy: Copy,
                 seen: SeenActivities) -> None:
        self.runtime, self.platform, self.refs, self.copy, self.seen = runtime, platform, refs, copy, seen
        self._busy: set[str] = set()  # form cards being handled now

    async def on_turn(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        bind_workspace(self.workspace(activity))  # on every log line of this turn
        if self.workspace(activity) is None or activity.conversation is None or activity.from_property is None:
            log.warning("Teams %s activity without tenant, conversation or sender ignored", activity.type)
            return
        if not await self.seen.first_time(activity):
            return
        await self.remember(turn_context)
        sender = activity.from_property
        if sender.name:  # install events carry no names: a person first met there is known by id
            await self.runtime.engine.handle(events.ProfileSeen(self.workspace(activity) or "", sender.id,
                                                                sender.name, locale=locale_of(activity)))
        try:
            await super().on_turn(turn_context)
        except Exception:  # answered 201 all the same: a 5xx would make Teams deliver it again
            log.exception("Teams %s activity %s failed", activity.type, activity.id)
            if activity.type == "message":
                await self.tell(self.workspace(activity) or "", sender.id, "errors.failed")

    # --- references --------------------------------------------------------------------------
    def workspace(self, activity: Activity) -> str | None:
        tenant = tenant_of(activity)
        return make_workspace_id("teams", tenant) if tenant else None

    async def remember(self, turn_context: TurnContext) -> Conversation:
        activity = turn_context.activity
        workspace = self.workspace(activity) or ""
        base, _ = split_thread(activity.conversation.id)
        kind = activity.conversation.conversation_type or ("channel" if activity.conversation.is_group else "personal")
        reference = TurnContext.get_conversation_reference(activity)
        reference.conversation.id = base
        reference.activity_id = None
        data: dict[str, Any] = activity.channel_data if isinstance(activity.channel_data, dict) else {}
        team = data.get("team") or {}
        sender = activity.from_property
        if kind == "personal":
            conv = Conversation(workspace, base, kind, activity.service_url, reference.serialize(), user_id=sender.id,
                                name=sender.name or "", tz=timezone_of(activity))
        else:
            name = (data.get("channel") or {}).get("name") or team.get("name") or ""
            conv = Conversation(workspace, base, kind, activity.service_url, reference.serialize(),
                                team_id=team.get("id"), name=name)
        if sender.name:
            self.refs.saw(workspace, sender.id, sender.name, timezone_of(activity))
        known = await self.refs.conversation(workspace, base)
        if known is None or known.service_url != conv.service_url or known.gone_reason or activity.type != "message" \
                or (conv.name and conv.name != known.name) or (conv.tz and conv.tz != known.tz):
            await self.refs.save(conv)
        return conv

    # --- messages ------------------------------------------------------------------------------
    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        workspace, user, locale = self.workspace(activity) or "", activity.from_property.id, locale_of(activity)
        base, root = split_thread(activity.conversation.id)
        if isinstance(activity.value, dict) and activity.value:
            await self.card_submitted(turn_context, workspace, user, base, activity.value)
            return
        text = plain_text(activity)
        kind = activity.conversation.conversation_type or "personal"
        log.debug("Teams message in %s %s (thread %s) from %s: %.40r", kind, base, root, user, text)
        if kind == "personal":
            if text.lower() in HOME_WORDS:
                await self.handle(events.HomeOpened(workspace, user, locale=locale), workspace, user)
            else:
                command = events.CommandReceived(workspace, user, text or "help", locale=locale)
                await self.handle(command, workspace, user)
            return
        words = text.split()
        if mentions_bot(activity) and words and words[0].lower().lstrip("/") in COMMANDS + HOME_WORDS:
            event: events.Event = (events.HomeOpened(workspace, user, locale=locale) if words[0].lower() in HOME_WORDS
                                   else events.CommandReceived(workspace, user, text, locale=locale))
            await self.handle(event, workspace, user)
            await self.say_in_thread(turn_context, self.copy("command.see_chat"))
            return
        if kind == "channel":
            await self.runtime.engine.handle(events.MemberJoined(workspace, base, user))
        if root and root != activity.id and text:
            await self.runtime.engine.handle(events.ChannelReplyPosted(workspace, base, root, activity.id, user, text,
                                                                       locale=locale))

    async def on_teams_message_edit(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        base, _ = split_thread(activity.conversation.id)
        await self.runtime.engine.handle(events.ReplyEdited(self.workspace(activity) or "", base, activity.id,
                                                            plain_text(activity)))

    async def on_teams_message_soft_delete(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        base, _ = split_thread(activity.conversation.id)
        await self.runtime.engine.handle(events.ReplyDeleted(self.workspace(activity) or "", base, activity.id))

    async def card_submitted(self, turn_context: TurnContext, workspace: str, user: str, conversation: str,
                             value: dict[str, Any]) -> None:
        """A button or a form on one of our cards; the card is rewritten, not followed by another."""
        card_id, locale = turn_context.activity.reply_to_id or "", locale_of(turn_context.activity)
        kind = value.get("gofirst_kind")
        if kind == "action" and isinstance(value.get("gofirst_action"), str):
            argument = str(value.get("gofirst_value") or "")
            event = events.ActionClicked(workspace, user, value["gofirst_action"], argument,
                                         channel_id=conversation, message_id=card_id,
                                         trigger=trigger_for(conversation, card_id, str(value.get("gofirst_card"))),
                                         locale=locale)
            token = CLICKED.set((conversation, card_id, str(value.get("gofirst_card"))))
            try:
                await self.handle(event, workspace, user)
            finally:
                CLICKED.reset(token)
            if event.action_id == "share.post":
                await self.settle_preview(workspace, user, conversation, card_id, event.value)
        elif kind == "form" and isinstance(value.get("gofirst_form"), str):
            if card_id and (card_id in self._busy or card_id in self.platform.accepted_forms):
                log.info("form card %s submitted again while busy or done: ignored", card_id)
                return
            values = {k: v if isinstance(v, str) else str(v) for k, v in value.items()
                      if not k.startswith("gofirst_") and v is not None}
            submitted = events.FormSubmitted(workspace, user, value["gofirst_form"], values,
                                             str(value.get("gofirst_context") or ""), locale=locale)
            self._busy.add(card_id)
            try:
                outcome = await self.runtime.engine.handle(submitted)
            finally:
                self._busy.discard(card_id)
            if outcome.form is not None:
                await self.show_card(workspace, user, conversation, card_id, cards.form_card(outcome.form),
                                     form=outcome.form)
            elif outcome.error:
                await self.tell(workspace, user, "errors.not_delivered", reason=outcome.error)
            else:
                if card_id:
                    self.platform.accepted_forms[card_id] = True
                form = self.platform.form_values.pop(card_id, None)
                words = load_copy(form.locale, "teams") if form else self.copy  # the form's language
                card = cards.submitted_card(form or Form(submitted.form_id, "", (), ""), values,
                                            words("form.submitted"))
                await self.show_card(workspace, user, conversation, card_id, card)
        else:
            log.warning("card submit from %s in %s without GoFirst data: %s", user, workspace, sorted(value)[:10])
            await self.tell(workspace, user, "errors.card_unreadable")

    async def settle_preview(self, workspace: str, user: str, conversation: str, card_id: str, share_id: str) -> None:
        """Once its share is posted, the preview loses its Post and Edit buttons."""
        card = self.platform.cards.get(card_id)
        async with self.runtime.db.session() as session:
            share = await session.get(Share, int(share_id)) if share_id.isdigit() else None
            posted = share is not None and share.status == "posted"
        if card is not None and posted:
            settled = cards.settled(card, self.copy("preview.posted"))
            await self.show_card(workspace, user, conversation, card_id, settled)

    async def show_card(self, workspace: str, user: str, conversation: str, card_id: str, card: cards.Card,
                        form: Form | None = None) -> None:
        try:
            await self.platform.replace_card(workspace, conversation, card_id, card)
            if form is not None:
                self.platform.form_values[card_id] = form
        except DeliveryError as exc:
            log.warning("could not update card %s: %s", card_id, exc.reason)
            if form is not None:
                await self.platform.open_form(workspace, user, form)

    async def handle(self, event: events.Event, workspace: str, user: str) -> None:
        outcome = await self.runtime.engine.handle(event)
        if outcome.error:
            await self.tell(workspace, user, "errors.not_delivered", reason=outcome.error)

    async def tell(self, workspace: str, user: str, key: str, **values: Any) -> None:
        try:
            await self.platform.send_dm(workspace, user, Message(kind="error", text=self.copy(key, **values)))
        except DeliveryError as exc:
            log.warning("could not tell %s in %s: %s", user, workspace, exc.reason)

    async def say_in_thread(self, turn_context: TurnContext, text: str) -> None:
        try:
            await turn_context.send_activity(Activity(type="message", text=text))
        except Exception as exc:  # a pointer to the chat is a courtesy; the answer itself went out
            log.warning("could not answer in the channel: %s", exc)

    # --- install -------------------------------------------------------------------------------
    async def on_teams_members_added_dispatch(self, members_added: list[ChannelAccount], team_info: TeamInfo,
                                              turn_context: TurnContext) -> None:
        """Skips botbuilder's roster look-up per member: ids are all GoFirst needs."""
        await self.on_teams_members_added(members_added, team_info, turn_context)

    async def on_teams_members_added(self, members_added: list[ChannelAccount], team_info: TeamInfo,
                                     turn_context: TurnContext) -> None:
        activity = turn_context.activity
        workspace, bot_id = self.workspace(activity) or "", activity.recipient.id
        base, _ = split_thread(activity.conversation.id)
        kind = activity.conversation.conversation_type or "personal"
        for member in members_added:
            if member.id == bot_id:
                if kind == "personal":
                    await self.handle(events.HomeOpened(workspace, activity.from_property.id), workspace,
                                      activity.from_property.id)
                elif kind == "channel":
                    await self.team_installed(turn_context, workspace, base, team_info)
            elif kind == "channel":
                await self.runtime.engine.handle(events.MemberJoined(workspace, base, member.id))

    async def team_installed(self, turn_context: TurnContext, workspace: str, channel_id: str,
                             team_info: TeamInfo | None) -> None:
        """The engine decides who leads the team and DMs them; the channel hello is said here."""
        installer = turn_context.activity.from_property
        team_name = (team_info.name if team_info else None) or self.copy("names.your_team")
        await self.handle(events.BotAddedToTeam(workspace, channel_id, installer.id, installer.name or "", team_name),
                          workspace, installer.id)
        profile = await self.platform.fetch_profile(workspace, installer.id)
        name = installer.name or (profile.display_name if profile else "") or installer.id
        await self.say_in_thread(turn_context, self.copy("install.channel_hello", team=team_name, leader=name))

    async def on_installation_update_remove(self, turn_context: TurnContext) -> None:
        conv = await self.remember(turn_context)
        await self.refs.mark_gone(conv, "GoFirst was removed from this conversation")
