"""Every person can see everything GoFirst holds about them, and have it erased.

This module owns the core tables. Adapters keep records of their own (chat references, playground
messages); each provides a PrivacyHook in its own package and the wiring registers it, so the core
never imports an adapter's tables and a new adapter cannot be forgotten by export or erase."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlmodel import SQLModel, col, delete, or_, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.repositories.people import find_person
from storage.tables import AuditEntry, Membership, Nudge, Pause, Person, Reply, Share, Team
from storage.tables.outbox import OutboxPost

ERASED = "erased"
CORE_NAMES = frozenset({"person", "teams_led", "memberships", "nudges", "pauses", "shares", "replies", "audit",
                        "replies_to_their_shares", "posts", "teams_unassigned", "audit_anonymised", "audit_targets_anonymised"})


class PersonNotFound(LookupError):
    pass


class PrivacyHook(Protocol):
    """One adapter's records about a person: `name` is their key in the export and the erase counts."""

    @property
    def name(self) -> str: ...

    async def export(self, session: AsyncSession, person: Person) -> list[dict[str, Any]]: ...

    async def erase(self, session: AsyncSession, person: Person) -> int: ...


@dataclass
class PrivacyHooks:
    """The registered hooks, in registration order; a name may not shadow a core key or another hook."""

    _hooks: dict[str, PrivacyHook] = field(default_factory=dict)

    def register(self, hook: PrivacyHook) -> None:
        if hook.name in CORE_NAMES or hook.name in self._hooks:
            raise ValueError(f"privacy hook name {hook.name!r} is already taken")
        self._hooks[hook.name] = hook

    def __iter__(self) -> Iterator[PrivacyHook]:
        return iter(self._hooks.values())


@dataclass(frozen=True)
class TableHook:
    """A hook for the rows of one table that `where(person)` selects: exported whole, erased by delete."""

    name: str
    table: type[SQLModel]
    where: Callable[[Person], tuple[Any, ...]]

    async def export(self, session: AsyncSession, person: Person) -> list[dict[str, Any]]:
        return [_row(r) for r in (await session.exec(select(self.table).where(*self.where(person)))).all()]

    async def erase(self, session: AsyncSession, person: Person) -> int:
        result = await session.exec(delete(self.table).where(*self.where(person)))
        return result.rowcount or 0


def _row(record: SQLModel) -> dict[str, Any]:
    return record.model_dump(mode="json")


async def _person(session: AsyncSession, workspace_id: str, user_id: str) -> Person:
    person = await find_person(session, workspace_id, user_id)
    if person is None:
        raise PersonNotFound(f"no person {user_id!r} in workspace {workspace_id!r}")
    return person


async def export_person(session: AsyncSession, workspace_id: str, user_id: str,
                        hooks: Iterable[PrivacyHook] = ()) -> dict[str, Any]:
    """Everything stored about one person, as plain JSON-ready data."""
    person = await _person(session, workspace_id, user_id)

    async def rows(query: Any) -> list[dict[str, Any]]:
        return [_row(r) for r in (await session.exec(query)).all()]

    data = {
        "person": _row(person),
        "teams_led": await rows(select(Team).where(Team.leader_id == person.id)),
        "memberships": await rows(select(Membership).where(Membership.person_id == person.id)),
        "nudges": await rows(select(Nudge).where(Nudge.leader_id == person.id)),
        "pauses": await rows(select(Pause).where(Pause.person_id == person.id)),
        "shares": await rows(select(Share).where(Share.leader_id == person.id)),
        "replies": await rows(select(Reply).where(Reply.author_id == person.id)),
        "posts": await rows(select(OutboxPost).where(OutboxPost.person_id == person.id)),
        "audit": await rows(select(AuditEntry).where(AuditEntry.actor == person.platform_user_id,
                                                     AuditEntry.workspace_id == workspace_id)),
    }
    for hook in hooks:
        data[hook.name] = await hook.export(session, person)
    return data


async def erase_person(session: AsyncSession, workspace_id: str, user_id: str,
                       hooks: Iterable[PrivacyHook] = ()) -> dict[str, int]:
    """Deletes the person and what they wrote. Replies under their shares go too, since they answered
    a post that no longer exists; audit entries stay, with the actor replaced. Returns counts."""
    person = await _person(session, workspace_id, user_id)
    share_ids = list((await session.exec(select(Share.id).where(Share.leader_id == person.id))).all())
    counts: dict[str, int] = {}

    async def run(name: str, statement: Any) -> None:
        counts[name] = (await session.exec(statement)).rowcount or 0

    await run("replies", delete(Reply).where(col(Reply.author_id) == person.id))
    await run("replies_to_their_shares", delete(Reply).where(col(Reply.share_id).in_(share_ids)))
    await run("posts", delete(OutboxPost).where(col(OutboxPost.person_id) == person.id))
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
    for hook in hooks:
        counts[hook.name] = await hook.erase(session, person)
    await session.delete(person)
    counts["person"] = 1
    return counts


RETENTION_ACTOR = "system:retention"


async def apply_retention(session: AsyncSession, now: datetime, days: int) -> dict[str, dict[str, int]]:
    """GOFIRST_RETENTION_DAYS: the free text of replies and shares older than `days` is blanked; the
    rows stay, so counts, streaks and barrier themes are kept. Audited per workspace that changed."""
    cutoff = now - timedelta(days=days)
    done: dict[str, dict[str, int]] = {}
    replies = (await session.exec(select(Reply).where(col(Reply.created_at) < cutoff, Reply.text != ""))).all()
    for reply in replies:
        reply.text = ""
        session.add(reply)
        done.setdefault(reply.workspace_id, {"replies": 0, "shares": 0})["replies"] += 1
    shares = (await session.exec(select(Share).where(col(Share.created_at) < cutoff, or_(
        Share.try_text != "", Share.why_text != "", Share.barrier_text != "", Share.ask_text != "")))).all()
    for share in shares:
        share.try_text = share.why_text = share.barrier_text = share.ask_text = ""
        session.add(share)
        done.setdefault(share.workspace_id, {"replies": 0, "shares": 0})["shares"] += 1
    for workspace_id, counts in done.items():
        session.add(AuditEntry(workspace_id=workspace_id, actor=RETENTION_ACTOR, action="retention.applied",
                               target=f"workspace:{workspace_id}", at=now,
                               detail={"via": "schedule", "days": days, "after": counts}))
    return done
