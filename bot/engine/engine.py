"""The engine: one entry point, `handle(event)`, for every platform's traffic."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.engine import compose, events
from bot.engine.commands import run_command
from bot.engine.controls import local_today, parse_snooze, pause, set_opted_out
from bot.engine.home import publish_home
from bot.engine.installs import profile_seen, team_installed
from bot.engine.messages import Form, Message, Sent
from bot.engine.nudges import decline_nudge, leaders_nudge, skip_nudge, snooze_nudge
from bot.engine.people import person_for
from bot.engine.port import DeliveryError
from bot.engine.replies import delete_reply, edit_reply, open_answer_form, record_reply, submit_answer
from bot.engine.services import Services
from bot.engine.shares import dm, edit_share, post_share, reframe_share, share_form_for, submit_share
from storage.repositories.people import add_member, team_by_channel
from storage.tables import Person

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What the adapter must show in answer to the request itself: a form with errors, or nothing."""

    form: Form | None = None
    error: str | None = None


async def settle(services: Services, event: events.ActionClicked, outcome_key: str) -> None:
    """Replaces the message whose button was pressed by a line saying what happened, so old
    buttons don't invite a second click. Best effort: the action itself already succeeded."""
    if not (event.channel_id and event.message_id):
        return
    message = Message(kind="info", text=services.copy(outcome_key))
    try:
        await services.platform(event.workspace_id).update(event.workspace_id, Sent(event.channel_id, event.message_id),
                                                           message)
    except DeliveryError as exc:
        log.warning("could not settle %s: %s", event.action_id, exc.reason)


class Engine:
    def __init__(self, services: Services) -> None:
        self.services = services

    async def handle(self, event: events.Event) -> Outcome:
        self.services.metrics.inc("gofirst_events_total", kind=type(event).__name__)
        try:
            async with self.services.db.session() as session:
                return await self._route(session, event) or Outcome()
        except DeliveryError as exc:
            log.warning("%s for %s could not be answered: %s", type(event).__name__, event.workspace_id, exc.reason)
            return Outcome(error=exc.reason)
        except (DBAPIError, OSError) as exc:  # the database is down or unreachable: say so, don't crash
            log.error("%s for %s not handled: database at %s unavailable (%s)", type(event).__name__,
                      event.workspace_id, self.services.db.safe_url, type(exc).__name__)
            return Outcome(error=self.services.copy("errors.database"))

    async def _person(self, session: AsyncSession, workspace_id: str, user_id: str) -> Person:
        return await person_for(self.services, session, workspace_id, user_id)

    async def _route(self, session: AsyncSession, event: events.Event) -> Outcome | None:
        services = self.services
        match event:
            case events.CommandReceived():
                await run_command(services, session, await self._person(session, event.workspace_id, event.user_id), event)
            case events.ActionClicked():
                await self._action(session, await self._person(session, event.workspace_id, event.user_id), event)
            case events.FormSubmitted():
                person = await self._person(session, event.workspace_id, event.user_id)
                return await self._form(session, person, event)
            case events.ChannelReplyPosted():
                await record_reply(services, session, event)
            case events.ReplyEdited():
                await edit_reply(services, session, event)
            case events.ReplyDeleted():
                await delete_reply(session, event)
            case events.HomeOpened():
                await publish_home(services, session, await self._person(session, event.workspace_id, event.user_id))
            case events.MemberJoined():
                team = await team_by_channel(session, event.workspace_id, event.channel_id)
                if team is not None:
                    await add_member(session, team, await self._person(session, event.workspace_id, event.user_id))
            case events.BotAddedToTeam():
                await team_installed(services, session, event)
            case events.ProfileSeen():
                await profile_seen(session, event)
            case _:
                log.warning("unknown event %r ignored", type(event).__name__)
        return None

    async def _form(self, session: AsyncSession, person: Person, event: events.FormSubmitted) -> Outcome:
        if event.form_id == compose.SHARE_FORM:
            form = await submit_share(self.services, session, person, event.values, event.context)
        elif event.form_id == compose.ANSWER_FORM:
            form = await submit_answer(self.services, session, person, event.values, event.context)
        else:
            log.warning("unknown form %r from %s", event.form_id, event.workspace_id)
            return Outcome(error=self.services.copy("errors.unknown_form"))
        return Outcome(form=form)

    async def _action(self, session: AsyncSession, person: Person, event: events.ActionClicked) -> None:
        services, action, value = self.services, event.action_id, event.value
        platform = services.platform(person.workspace_id)
        if action.startswith("nudge."):
            nudge = await leaders_nudge(session, person, value)
            if nudge is None or nudge.state not in ("sent", "due", "planned"):
                await dm(services, person, "nudge.already_answered")
            elif action == "nudge.share":
                form = await share_form_for(services, session, person, context=f"nudge:{nudge.id}")
                await platform.open_form(person.workspace_id, person.platform_user_id, form, event.trigger)
            elif action == "nudge.snooze":
                await snooze_nudge(services, session, person, nudge)
            elif action == "nudge.skip":
                await skip_nudge(services, person, nudge)
            elif action == "nudge.optout":
                await decline_nudge(services, session, person, nudge)
            if nudge is not None:
                session.add(nudge)
        elif action == "share.post":
            if await post_share(services, session, person, value):
                await settle(services, event, "share.preview.settled_posted")
        elif action == "share.reframe":
            if await reframe_share(services, session, person, value):
                await settle(services, event, "share.preview.settled_replaced")
        elif action == "share.edit":
            await edit_share(services, session, person, value, event.trigger)
        elif action == "digest.answer":
            await open_answer_form(services, session, person, value, event.trigger)
        elif action == "home.share":
            form = await share_form_for(services, session, person)
            await platform.open_form(person.workspace_id, person.platform_user_id, form, event.trigger)
        elif action in ("home.snooze", "home.optout", "home.optin"):
            if action == "home.snooze":
                today = local_today(person, services.clock.now())
                await pause(session, person, "snooze", today, parse_snooze("1w", today))
            else:
                set_opted_out(session, person, action == "home.optout")
            await publish_home(services, session, person)
        else:
            log.warning("unknown action %r from %s", action, person.workspace_id)
            await dm(services, person, "errors.unknown_action")
