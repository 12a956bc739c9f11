"""The directory's part of an erasure: the person's group memberships go, and so do their platform
id and email wherever an audit entry's details mention them (the entries themselves stay)."""
from __future__ import annotations

from typing import Any

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import AuditEntry, Person
from storage.tables.admin import DirectoryMember

ERASED = "erased"


class DirectoryHook:
    name = "directory"

    async def export(self, session: AsyncSession, person: Person) -> list[dict[str, Any]]:
        rows = (await session.exec(select(DirectoryMember).where(DirectoryMember.person_id == person.id))).all()
        return [r.model_dump(mode="json") for r in rows]

    async def erase(self, session: AsyncSession, person: Person) -> int:
        result = await session.exec(delete(DirectoryMember).where(col(DirectoryMember.person_id) == person.id))
        names = {n for n in (person.platform_user_id, person.email) if n}
        entries = (await session.exec(select(AuditEntry).where(AuditEntry.workspace_id == person.workspace_id))).all()
        for entry in entries:
            scrubbed = _scrub(entry.detail, names)
            if scrubbed != entry.detail:
                entry.detail = scrubbed
                session.add(entry)
        return int(result.rowcount or 0)


def _scrub(value: Any, names: set[str]) -> Any:
    if isinstance(value, dict):
        return {k: _scrub(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, names) for v in value]
    if isinstance(value, str) and value in names:
        return ERASED
    if isinstance(value, str) and "=" in value and value.split("=", 1)[0] in names:
        return ERASED + "=" + value.split("=", 1)[1]
    return value


HOOK = DirectoryHook()
