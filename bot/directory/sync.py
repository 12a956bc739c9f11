"""A directory sync: every person, user group and team channel the platform lists is stored, so a
campaign can name leaders who never spoke to the bot. Platform calls run first, outside any
transaction; then one transaction writes it all and audits who synced."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.port import DeliveryError
from bot.core.services import Services
from bot.directory.source import DirectoryGroupInfo, DirectoryPerson, DirectorySource
from storage.tables import AuditEntry, Person, Team
from storage.tables.admin import DirectoryGroup, DirectoryMember

DEACTIVATED = "deactivated in the directory"


@dataclass
class SyncReport:
    added: int = 0
    updated: int = 0
    deactivated: int = 0
    groups: int = 0
    channels: int = 0
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


async def sync_directory(services: Services, workspace_id: str, source: DirectorySource, *, actor: str, via: str,
                         channels: Sequence[str] = ()) -> SyncReport:
    report = SyncReport()
    people = [p for p in await source.list_people(workspace_id) if not p.is_bot]
    groups = await source.list_user_groups(workspace_id)
    async with services.db.session() as session:
        known = (await session.exec(select(Team.channel_id).where(Team.workspace_id == workspace_id))).all()
    for channel in dict.fromkeys([*channels, *known]):
        try:
            groups.append(await source.channel_members(workspace_id, channel))
        except DeliveryError as exc:
            report.problems.append(f"channel {channel}: {exc.reason}")
    async with services.db.session() as session:
        ids = await _store_people(session, workspace_id, people, report)
        now = services.clock.now()
        for group in groups:
            missing = await _store_group(session, workspace_id, group, ids, now)
            report.groups += group.kind == "usergroup"
            report.channels += group.kind == "channel"
            if missing:
                report.problems.append(f"{group.kind} {group.handle or group.external_id}: {missing} member(s) "
                                       "not in the people list (guests or bots), left out")
        session.add(AuditEntry(workspace_id=workspace_id, actor=actor, action="directory.synced",
                               target=f"workspace:{workspace_id}",
                               detail={"via": via, "after": report.as_dict()}))
    return report


async def _store_people(session: AsyncSession, workspace_id: str, people: list[DirectoryPerson],
                        report: SyncReport) -> dict[str, int]:
    existing = {p.platform_user_id: p for p in
                (await session.exec(select(Person).where(Person.workspace_id == workspace_id))).all()}
    for entry in people:
        person = existing.get(entry.user_id)
        created = person is None
        if person is None:
            person = existing[entry.user_id] = Person(workspace_id=workspace_id, platform_user_id=entry.user_id)
            report.added += 1
        changed = apply(person, entry)
        moved = set_active(person, entry.active)
        report.updated += not created and (changed or moved)
        report.deactivated += moved and not entry.active
        session.add(person)
    await session.flush()
    return {user_id: p.id for user_id, p in existing.items() if p.id is not None}


def apply(person: Person, entry: DirectoryPerson) -> bool:
    """Copies what the directory knows onto the person; True if anything changed. A timezone the
    person set themselves (`timezone Europe/Berlin`) is theirs and stays."""
    wanted = {"display_name": entry.name or person.display_name,
              "email": entry.email.strip().lower() if entry.email else person.email}
    if entry.tz and not person.tz_overridden:
        wanted["tz"] = entry.tz
    changed = any(getattr(person, k) != v for k, v in wanted.items())
    for key, value in wanted.items():
        setattr(person, key, value)
    return changed


def set_active(person: Person, active: bool) -> bool:
    """A person deactivated on the platform gets no nudge; one reactivated gets them again. Other
    reasons to stay quiet (an uninstall, a send that found them gone) are left alone."""
    if not active and person.inactive_reason is None:
        person.inactive_reason = DEACTIVATED
        return True
    if active and person.inactive_reason == DEACTIVATED:
        person.inactive_reason = None
        return True
    return False


async def _store_group(session: AsyncSession, workspace_id: str, info: DirectoryGroupInfo, ids: dict[str, int],
                       now: datetime) -> int:
    """Stores the group and replaces its members; returns how many members matched nobody."""
    query = select(DirectoryGroup).where(DirectoryGroup.workspace_id == workspace_id, DirectoryGroup.kind == info.kind,
                                         DirectoryGroup.external_id == info.external_id)
    group = (await session.exec(query)).first() or DirectoryGroup(workspace_id=workspace_id, kind=info.kind,
                                                                   external_id=info.external_id)
    group.handle, group.name, group.synced_at = info.handle, info.name, now
    session.add(group)
    await session.flush()
    assert group.id is not None
    await session.exec(delete(DirectoryMember).where(col(DirectoryMember.group_id) == group.id))
    members = {ids[m] for m in info.members if m in ids}
    for person_id in members:
        session.add(DirectoryMember(group_id=group.id, person_id=person_id))
    await session.flush()
    return len(set(info.members)) - len(members)

