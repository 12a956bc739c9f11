"""Workspaces, people, teams and memberships."""
from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.identity import platform_of
from storage.tables import Membership, Person, Team, Workspace


async def ensure_workspace(session: AsyncSession, workspace_id: str, name: str = "") -> Workspace:
    """The workspace, created on first contact. Several first events from a new workspace arrive at
    once: the insert is an upsert that does nothing when another transaction got there first."""
    workspace = await session.get(Workspace, workspace_id)
    if workspace is not None:
        return workspace
    fresh = Workspace(id=workspace_id, platform=platform_of(workspace_id), name=name)
    insert = postgresql_insert if (await session.connection()).dialect.name == "postgresql" else sqlite_insert
    columns = Workspace.__table__.columns  # type: ignore[attr-defined]
    row = {column.name: getattr(fresh, column.name) for column in columns}
    await session.exec(insert(Workspace).values(row).on_conflict_do_nothing(index_elements=["id"]))
    workspace = await session.get(Workspace, workspace_id, populate_existing=True)
    assert workspace is not None
    return workspace


async def find_person(session: AsyncSession, workspace_id: str, user_id: str) -> Person | None:
    query = select(Person).where(Person.workspace_id == workspace_id, Person.platform_user_id == user_id)
    return (await session.exec(query)).first()


async def ensure_person(
    session: AsyncSession, workspace_id: str, user_id: str, display_name: str = "", tz: str | None = None
) -> Person:
    """The person behind a platform id, created on first sight (two requests may race: one wins)."""
    person = await find_person(session, workspace_id, user_id)
    if person is not None:
        return person
    await ensure_workspace(session, workspace_id)
    try:
        async with session.begin_nested():
            person = Person(workspace_id=workspace_id, platform_user_id=user_id,
                            display_name=display_name or user_id, tz=tz or "UTC")
            session.add(person)
    except IntegrityError:
        person = await find_person(session, workspace_id, user_id)
        assert person is not None
    return person


async def team_by_channel(session: AsyncSession, workspace_id: str, channel_id: str) -> Team | None:
    query = select(Team).where(Team.workspace_id == workspace_id, Team.channel_id == channel_id)
    return (await session.exec(query)).first()


async def teams_led_by(session: AsyncSession, person_id: int) -> list[Team]:
    query = select(Team).where(Team.leader_id == person_id).order_by(col(Team.id))
    return list((await session.exec(query)).all())


async def add_member(session: AsyncSession, team: Team, person: Person) -> bool:
    """Adds a membership once; returns False when it was already there."""
    query = select(Membership).where(Membership.team_id == team.id, Membership.person_id == person.id)
    if (await session.exec(query)).first() is not None:
        return False
    assert team.id is not None and person.id is not None
    session.add(Membership(workspace_id=team.workspace_id, team_id=team.id, person_id=person.id))
    await session.flush()
    return True


async def team_members(session: AsyncSession, team_id: int) -> list[Person]:
    query = (
        select(Person)
        .join(Membership, col(Membership.person_id) == col(Person.id))
        .where(Membership.team_id == team_id)
        .order_by(col(Person.display_name))
    )
    return list((await session.exec(query)).all())
