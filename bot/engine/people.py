"""Who sent an event. A newcomer is met *before* the event's transaction: their profile is asked of
the platform with no transaction open, then stored in a short one (an upsert: two first events
racing in create one person), so the flow itself never waits on the platform."""
from __future__ import annotations

import logging

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.copy import DEFAULT_LOCALE, normalize_locale
from bot.core import events
from bot.engine.controls import audit
from bot.core.port import DeliveryError, Profile, UnknownPlatform
from bot.core.services import Services
from storage.repositories.people import ensure_person, find_person, team_by_channel
from storage.repositories.shares import share_for_thread
from storage.tables import Person

log = logging.getLogger(__name__)


async def newcomer(services: Services, event: events.Event) -> tuple[str | None, str | None]:
    """The platform id of the person this event may introduce, if they are new to GoFirst, and the
    language of the person it names. Thread replies and channel joins only introduce someone where
    GoFirst has a share or a team. Someone already known learns the language the platform gave
    on the way (unless they chose one)."""
    known_id = event.platform_user_id if isinstance(event, events.ProfileSeen) else None
    user_id = getattr(event, "user_id", None) or known_id
    if not isinstance(user_id, str) or not user_id:
        return None, None
    async with services.db.session() as session:
        person = await find_person(session, event.workspace_id, user_id)
        if person is not None:
            if learn_locale(person, event.locale):
                session.add(person)
            return None, person.locale
        if known_id is not None:  # seeing a name introduces nobody
            return None, None
        if isinstance(event, events.ChannelReplyPosted):
            if await share_for_thread(session, event.workspace_id, event.channel_id, event.thread_id) is None:
                return None, None
        elif isinstance(event, events.MemberJoined):
            if await team_by_channel(session, event.workspace_id, event.channel_id) is None:
                return None, None
    return user_id, None


def learn_locale(person: Person, code: str | None) -> bool:
    """The platform's language for a person who hasn't chosen one; True when it changed."""
    locale = normalize_locale(code) if code else None
    if locale is None or person.locale_overridden or (person.locale or DEFAULT_LOCALE) == locale:
        return False  # English is what None already means: no write for it
    person.locale = locale
    return True


async def meet(services: Services, event: events.Event) -> str | None:
    """Stores a newcomer with their name, timezone and language from the platform profile; returns
    the language of the person the event names (None: English, or nobody named)."""
    user_id, known_locale = await newcomer(services, event)
    if user_id is None:
        return known_locale
    profile: Profile | None = None
    try:
        profile = await services.platform(event.workspace_id).fetch_profile(event.workspace_id, user_id)
    except (DeliveryError, UnknownPlatform) as exc:  # no profile: they are stored by id, named later
        log.info("no profile for a newcomer in %s: %s", event.workspace_id, exc)
    async with services.db.session() as session:
        person = await ensure_person(session, event.workspace_id, user_id, profile.display_name if profile else "",
                                     profile.tz if profile else None)
        if learn_locale(person, (profile.locale if profile else None) or event.locale):
            session.add(person)
        return person.locale


async def person_for(services: Services, session: AsyncSession, workspace_id: str, user_id: str) -> Person:
    """The person behind a platform id (met before the flow began). Someone earlier marked
    unreachable (left, deactivated) who sends us something is reachable again."""
    person = await find_person(session, workspace_id, user_id)
    if person is None:  # not met beforehand (a flow reached for someone the event didn't name)
        return await ensure_person(session, workspace_id, user_id)
    if person.inactive_reason:  # they just reached us, so they can be reached again
        audit(session, person, "reachable_again", was=person.inactive_reason)
        person.inactive_reason = None
        session.add(person)
    return person
