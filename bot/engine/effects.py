"""Effects a flow asks for: everything that talks to a platform runs after the flow's transaction
has committed and its connection is back in the pool (storage.db.after_commit), so no database lock
or pooled connection is held while Slack or Teams answer, and a message never points at a row that
isn't there yet. A flow decides and records; these run afterwards."""
from __future__ import annotations

import logging

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.messages import Form, HomeView, Message, Sent
from bot.core.port import DeliveryError
from bot.core.services import Services
from storage.db import after_commit
from storage.tables import Person

log = logging.getLogger(__name__)


def say(services: Services, session: AsyncSession, person: Person, message: Message) -> None:
    workspace_id, user_id = person.workspace_id, person.platform_user_id
    after_commit(session, lambda: services.platform(workspace_id).send_dm(workspace_id, user_id, message))


def dm(services: Services, session: AsyncSession, person: Person, key: str, **values: object) -> None:
    """A short DM in the person's words, once the flow's work is committed."""
    say(services, session, person, Message(kind="info", text=services.words(person.locale)(key, **values)))


def dm_text(services: Services, session: AsyncSession, person: Person, text: str) -> None:
    say(services, session, person, Message(kind="info", text=text))


def open_form(services: Services, session: AsyncSession, person: Person, form: Form, trigger: str | None) -> None:
    workspace_id, user_id = person.workspace_id, person.platform_user_id
    after_commit(session, lambda: services.platform(workspace_id).open_form(workspace_id, user_id, form, trigger))


def publish_home(services: Services, session: AsyncSession, person: Person, view: HomeView) -> None:
    workspace_id, user_id = person.workspace_id, person.platform_user_id
    after_commit(session, lambda: services.platform(workspace_id).publish_home(workspace_id, user_id, view))


def rewrite(services: Services, session: AsyncSession, workspace_id: str, where: Sent, message: Message,
            what: str) -> None:
    """Best effort: an old message rewritten (its buttons settled); failing that changes nothing stored."""
    async def run() -> None:
        try:
            await services.platform(workspace_id).update(workspace_id, where, message)
        except DeliveryError as exc:
            log.warning("could not update %s: %s", what, exc.reason)

    after_commit(session, run)
