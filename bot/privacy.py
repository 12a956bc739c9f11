"""Every person can see everything GoFirst holds about them, and have it erased."""
from __future__ import annotations

from typing import Any

from sqlalchemy import or_
from sqlmodel import SQLModel, col, delete, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.repositories.people import find_person
from storage.tables import AuditEntry, Membership, Nudge, Pause, Person, Reply, Share, Team
from storage.tables.playground import PlaygroundMessage
from storage.tables.teams import TeamsConversation

ERASED = "erased"


class PersonNotFound(LookupError):
    pass


def _row(record: SQLModel) -> dict[str, Any]:
    return record.model_dump(mode="json")


async def _person(session: AsyncSession, workspace_id: str, user_id: str) -> Person:
    person = await find_person(session, workspace_id, user_id)
    if person is None:
        raise PersonNotFound(f"no person {user_id!r} in workspace {workspace_id!r}")
    return person


async def export_person(session: AsyncSession, workspace_id: str, user_id: str) -> dict[str, Any]:
    """Everything stored about one person, as plain JSON-ready data."""
    person = await _person(session, workspace_id, user_id)

    async def rows(query: Any) -> list[dict[str, Any]]:
        return [_row(r) for r in (await session.exec(query)).all()]

    return {
        "person": _row(person),
        "teams_led": await rows(select(Team).where(Team.leader_id == person.id)),
        "memberships": await rows(select(Membership).where(Membership.person_id == person.id)),
        "nudges": await rows(select(Nudge).where(Nudge.leader_id == person.id)),
        "pauses": await rows(select(Pause).where(Pause.person_id == person.id)),
        "shares": await rows(select(Share).where(Share.leader_id == person.id)),
        "replies": await rows(select(Reply).where(Reply.author_id == person.id)),
        "audit": await rows(select(AuditEntry).where(AuditEntry.actor == person.platform_user_id,
                                                     AuditEntry.workspace_id == workspace_id)),
        "teams_conversations": await rows(select(TeamsConversation).where(*_teams_personal(person))),
        "playground_messages": await rows(select(PlaygroundMessage).where(*_playground_own(person))),
    }


def _teams_personal(person: Person) -> tuple[Any, ...]:
    """The person's own Teams chat reference (name, timezone, how to reach them)."""
    return (col(TeamsConversation.workspace_id) == person.workspace_id,
            col(TeamsConversation.user_id) == person.platform_user_id)


def _playground_own(person: Person) -> tuple[Any, ...]:
    """What the person wrote in the playground, and their DM and home with GoFirst."""
    user = person.platform_user_id
    return (col(PlaygroundMessage.workspace_id) == person.workspace_id,
            or_(col(PlaygroundMessage.author) == user,
                col(PlaygroundMessage.conversation).in_([f"dm:{user}", f"home:{user}"])))


async def erase_person(session: AsyncSession, workspace_id: str, user_id: str) -> dict[str, int]:
    """Deletes the person and what they wrote. Replies under their shares go too, since they answered
    a post that no longer exists; audit entries stay, with the actor replaced. Returns counts."""
    person = await _person(session, workspace_id, user_id)
    share_ids = list((await session.exec(select(Share.id).where(Share.leader_id == person.id))).all())
    counts: dict[str, int] = {}

    async def run(name: str, statement: Any) -> None:
        counts[name] = (await session.exec(statement)).rowcount or 0  # type: ignore[call-overload]

    await run("replies", delete(Reply).where(col(Reply.author_id) == person.id))
    await run("replies_to_their_shares", delete(Reply).where(col(Reply.share_id).in_(share_ids)))
    await run("shares", delete(Share).where(col(Share.leader_id) == person.id))
    await run("nudges", delete(Nudge).where(col(Nudge.leader_id) == person.id))
    await run("pauses", delete(Pause).where(col(Pause.person_id) == person.id))
    await run("memberships", delete(Membership).where(col(Membership.person_id) == person.id))
    await run("teams_unassigned", update(Team).where(col(Team.leader_id) == person.id).values(leader_id=None))
    await run("audit_anonymised", update(AuditEntry)
              .where(col(AuditEntry.workspace_id) == workspace_id, col(AuditEntry.actor) == person.platform_user_id)
              .values(actor=ERASED))
    await run("audit_targets_anonymised", update(AuditEntry)
              .where(col(AuditEntry.target) == f"person:{person.id}").values(target=ERASED))
    await run("teams_conversations", delete(TeamsConversation).where(*_teams_personal(person)))
    await run("playground_messages", delete(PlaygroundMessage).where(*_playground_own(person)))
    await session.delete(person)
    counts["person"] = 1
    return counts
