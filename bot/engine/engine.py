"""The engine: one entry point, `handle(event)`, for every platform's traffic. Each event is one
transaction in which a flow decides and records; what it asked of a platform runs after the commit
(effects.py). Newcomers are met before the transaction (people.py)."""
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.delivery.digests import DIGEST, DigestOutcome
from bot.core import compose, events
from bot.engine import actions
from bot.engine.commands import run_command
from bot.engine.home import publish_home
from bot.engine.installs import profile_seen, team_installed
from bot.core.messages import Form
from bot.engine.people import meet, person_for
from bot.core.port import DeliveryError
from bot.engine.posting import SHARE_POST, ShareOutcome
from bot.engine.replies import ANSWER, AnswerOutcome, delete_reply, edit_reply, record_reply, submit_answer
from bot.core.services import Services
from bot.engine.private import submit_private
from bot.engine.revisions import submit_share_form
from storage.repositories.people import add_member, team_by_channel
from storage.tables import Person

log = logging.getLogger(__name__)
FormFlow = Callable[[Services, AsyncSession, Person, dict[str, str], str], Awaitable[Form | None]]
FORMS: dict[str, FormFlow] = {compose.SHARE_FORM: submit_share_form, compose.ANSWER_FORM: submit_answer,
                              compose.PRIVATE_FORM: submit_private}


@dataclass(frozen=True)
class Outcome:
    """What the adapter must show in answer to the request itself: a form with errors, or nothing."""

    form: Form | None = None
    error: str | None = None
    retry_later: bool = False  # not handled because the database was unavailable: worth replaying


class Engine:
    def __init__(self, services: Services) -> None:
        self.services = services
        services.post_outcomes.update({SHARE_POST: ShareOutcome(), ANSWER: AnswerOutcome(), DIGEST: DigestOutcome()})

    async def handle(self, event: events.Event) -> Outcome:
        self.services.metrics.inc("gofirst_events_total", kind=type(event).__name__)
        try:
            services = self.services.speaking(await meet(self.services, event))  # the sender's language
            async with services.db.session() as session:
                return await self._route(services, session, event) or Outcome()
        except DeliveryError as exc:
            log.warning("%s for %s could not be answered: %s", type(event).__name__, event.workspace_id, exc.reason)
            return Outcome(error=exc.reason)
        except (DBAPIError, OSError) as exc:  # the database is down or unreachable: say so, don't crash
            log.error("%s for %s not handled: database at %s unavailable (%s)", type(event).__name__,
                      event.workspace_id, self.services.db.safe_url, type(exc).__name__)
            return Outcome(error=self.services.copy("errors.database"), retry_later=True)

    async def _person(self, session: AsyncSession, workspace_id: str, user_id: str) -> Person:
        return await person_for(self.services, session, workspace_id, user_id)

    async def _route(self, services: Services, session: AsyncSession, event: events.Event) -> Outcome | None:
        match event:
            case events.CommandReceived():
                await run_command(services, session, await self._person(session, event.workspace_id, event.user_id), event)
            case events.ActionClicked():
                person = await self._person(session, event.workspace_id, event.user_id)
                await actions.run_action(services, session, person, event)
            case events.FormSubmitted():
                person = await self._person(session, event.workspace_id, event.user_id)
                return await self._form(services, session, person, event)
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

    async def _form(self, services: Services, session: AsyncSession, person: Person,
                    event: events.FormSubmitted) -> Outcome:
        flow = FORMS.get(event.form_id)
        if flow is None:
            log.warning("unknown form %r from %s", event.form_id, event.workspace_id)
            return Outcome(error=services.copy("errors.unknown_form"))
        return Outcome(form=await flow(services, session, person, event.values, event.context))
