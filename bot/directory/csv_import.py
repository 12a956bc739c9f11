"""A CSV of people (email or platform id, name, timezone, team channel, role), for workspaces whose
platform can't be synced or whose leaders HR lists by hand. Every row it can't use is reported with
its line and reason; nothing is skipped silently."""
from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.services import Services
from storage.repositories.people import add_member, team_by_channel
from storage.tables import AuditEntry, Person, Team, Workspace

COLUMNS = {"email": "email", "platform_id": "platform_id", "user_id": "platform_id", "id": "platform_id",
           "name": "name", "timezone": "timezone", "tz": "timezone", "team_channel": "team_channel",
           "channel": "team_channel", "role": "role"}
ROLES = ("leader", "member", "")
MAX_ROWS = 5000


class BadCsv(ValueError):
    """The file as a whole can't be read; the message says how to fix it."""


@dataclass(frozen=True)
class Unresolved:
    line: int
    who: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line} ({self.who or 'empty'}): {self.reason}"


@dataclass
class ImportReport:
    imported: list[str] = field(default_factory=list)  # platform ids, in file order
    unresolved: list[Unresolved] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {"imported": len(self.imported), "unresolved": [asdict(u) for u in self.unresolved]}


def read_rows(text: str) -> list[tuple[int, dict[str, str]]]:
    """(line number, row by canonical column) for every data row."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = {h: COLUMNS.get((h or "").strip().lower().replace(" ", "_")) for h in reader.fieldnames or []}
    if not {"email", "platform_id"} & set(header.values()):
        raise BadCsv("the first line must name the columns, with email or platform_id among them "
                     "(e.g. email,platform_id,name,timezone,team_channel,role)")
    rows: list[tuple[int, dict[str, str]]] = []
    for row in reader:
        if len(rows) >= MAX_ROWS:
            raise BadCsv(f"more than {MAX_ROWS} rows: split the file")
        values = {str(header[k]): (v or "").strip() for k, v in row.items()
                  if isinstance(v, str) and header.get(k)}
        if any(values.values()):
            rows.append((reader.line_num, values))
    return rows


async def import_csv(services: Services, workspace_id: str, text: str, *, actor: str, via: str,
                     on_row: Callable[[], object] = lambda: None) -> ImportReport:
    rows, report = read_rows(text), ImportReport()
    async with services.db.session() as session:
        if await session.get(Workspace, workspace_id) is None:
            raise BadCsv(f"workspace {workspace_id!r} is not installed")
        for line, row in rows:
            problem = await _import_row(session, workspace_id, row, report)
            on_row()  # the CLI's progress bar
            if problem:
                report.unresolved.append(Unresolved(line, row.get("email") or row.get("platform_id", ""), problem))
        session.add(AuditEntry(workspace_id=workspace_id, actor=actor, action="directory.imported",
                               target=f"workspace:{workspace_id}", detail={"via": via, "after": report.as_dict()}))
    return report


async def _import_row(session: AsyncSession, workspace_id: str, row: dict[str, str], report: ImportReport) -> str | None:
    email, user_id, tz = row.get("email", "").lower(), row.get("platform_id", ""), row.get("timezone", "")
    role = row.get("role", "").lower()
    if role not in ROLES:
        return f"role {role!r} is not leader or member"
    if tz and not _is_zone(tz):
        return f"unknown timezone {tz!r}: use an IANA name such as Europe/Berlin"
    if email and "@" not in email:
        return f"{email!r} is not an email address"
    person = await _find(session, workspace_id, user_id, email)
    if person is None and not user_id:
        return (f"nobody with the email {email} in {workspace_id}: sync the directory first "
                "(gofirst directory sync), or add the person's platform_id")
    if person is None:
        person = Person(workspace_id=workspace_id, platform_user_id=user_id)
    person.email = email or person.email
    person.display_name = row.get("name") or person.display_name or person.platform_user_id
    if tz and not person.tz_overridden:
        person.tz = tz
    session.add(person)
    await session.flush()
    channel = row.get("team_channel", "").lstrip("#")
    if channel:
        problem = await _join(session, workspace_id, person, channel, role or "member")
        if problem:
            return problem
    report.imported.append(person.platform_user_id)
    return None


async def _find(session: AsyncSession, workspace_id: str, user_id: str, email: str) -> Person | None:
    query = select(Person).where(Person.workspace_id == workspace_id)
    if user_id:
        return (await session.exec(query.where(Person.platform_user_id == user_id))).first()
    return (await session.exec(query.where(func.lower(Person.email) == email))).first()


async def _join(session: AsyncSession, workspace_id: str, person: Person, channel: str, role: str) -> str | None:
    """A leader leads the channel's team (unless someone else already does); a member joins it."""
    team = await team_by_channel(session, workspace_id, channel)
    if team is None:
        team = Team(workspace_id=workspace_id, name=channel, channel_id=channel, channel_name=channel)
    if role == "leader":
        if team.leader_id not in (None, person.id):
            return f"#{channel} already has a leader; change it in the platform or leave team_channel empty"
        team.leader_id = person.id
    session.add(team)
    await session.flush()
    if role == "member":
        await add_member(session, team, person)
    return None


def _is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
        return True
    except (ZoneInfoNotFoundError, ValueError):
        return False
