"""Who sent an event: found in storage, or created from the platform's profile on first sight."""
from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.engine.controls import audit
from bot.engine.services import Services
from storage.repositories.people import ensure_person, find_person
from storage.tables import Person


async def person_for(services: Services, session: AsyncSession, workspace_id: str, user_id: str) -> Person:
    """The person behind a platform id; a newcomer gets their name and timezone from the platform.
    Someone earlier marked unreachable (left, deactivated) who sends us something is reachable again."""
    person = await find_person(session, workspace_id, user_id)
    if person is not None:
        if person.inactive_reason:  # they just reached us, so they can be reached again
            audit(session, person, "reachable_again", was=person.inactive_reason)
            person.inactive_reason = None
            session.add(person)
        return person
    profile = await services.platform(workspace_id).fetch_profile(workspace_id, user_id)
    return await ensure_person(session, workspace_id, user_id,
                               profile.display_name if profile else "", profile.tz if profile else None)
