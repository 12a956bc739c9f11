"""What GoFirst learns as it is installed and used: who leads a team it was added to, and the
names people go by. The adapters only report what they saw; these flows decide what it means."""
from __future__ import annotations

import logging

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.engine import effects
from bot.core.events import BotAddedToTeam, ProfileSeen
from bot.engine.people import person_for
from bot.core.services import Services
from storage.repositories.people import find_person, team_by_channel
from storage.tables import Person, Team

log = logging.getLogger(__name__)
MAX_NAME = 200


def learn_name(person: Person, name: str) -> bool:
    """A real name replaces an empty or id-only one, never a name the person already goes by."""
    name = name.strip()[:MAX_NAME]
    if not name or person.display_name not in ("", person.platform_user_id):
        return False
    person.display_name = name
    return True


async def team_installed(services: Services, session: AsyncSession, event: BotAddedToTeam) -> Team:
    """Whoever adds GoFirst to a team leads that team's channel, unless it already has a leader
    (an admin can reassign it later). The new leader is told in a DM once this is committed."""
    installer = await person_for(services, session, event.workspace_id, event.user_id)
    if learn_name(installer, event.display_name):
        session.add(installer)
    team = await team_by_channel(session, event.workspace_id, event.channel_id)
    name = event.team_name or event.channel_id
    if team is None:
        team = Team(workspace_id=event.workspace_id, name=name, channel_id=event.channel_id, channel_name=name)
    if team.leader_id is None:
        team.leader_id = installer.id
        log.info("%s leads %s in %s: they added GoFirst", installer.platform_user_id, event.channel_id,
                 event.workspace_id)
    session.add(team)
    await session.flush()
    if team.leader_id == installer.id:
        effects.dm(services, session, installer, "install.team_leader", channel=f"#{team.channel_name or team.name}",
                   team=team.name)
    return team


async def profile_seen(session: AsyncSession, event: ProfileSeen) -> None:
    """Someone GoFirst already knows by id only gets the name the platform shows; nobody is
    created here, since seeing a name says nothing about taking part."""
    person = await find_person(session, event.workspace_id, event.platform_user_id)
    if person is not None and learn_name(person, event.display_name):
        session.add(person)
