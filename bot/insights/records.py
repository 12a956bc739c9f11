"""What HR records for insights, each change audited: actions taken against a barrier theme, and
the department a team belongs to (its parent group for pooling)."""
from __future__ import annotations

from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.coach import THEMES
from bot.insights.load import load_actions
from bot.insights.model import ActionFact
from storage.tables import AuditEntry, Team, Workspace
from storage.tables.insights import BarrierAction, TeamDepartment


class BadRecord(ValueError):
    """Input HR can fix; the message says how."""


async def add_action(session: AsyncSession, workspace_id: str, theme: str, title: str, owner: str,
                     taken_on: date, recorded_by: str) -> ActionFact:
    """Records an action against a theme and audits who recorded it."""
    if await session.get(Workspace, workspace_id) is None:
        raise BadRecord(f"workspace {workspace_id!r} does not exist; check the id (e.g. slack:T0123)")
    if theme not in THEMES:
        raise BadRecord(f"theme {theme!r} is not a barrier theme; use one of {', '.join(THEMES)}")
    title, owner, recorded_by = title.strip(), owner.strip(), recorded_by.strip()
    for name, value, limit in (("title", title, 500), ("owner", owner, 200), ("recorded by", recorded_by, 200)):
        if not value or len(value) > limit:
            raise BadRecord(f"{name} must be 1 to {limit} characters")
    action = BarrierAction(workspace_id=workspace_id, theme=theme, title=title, owner=owner, taken_on=taken_on,
                           recorded_by=recorded_by)
    session.add(action)
    await session.flush()
    session.add(AuditEntry(workspace_id=workspace_id, actor=recorded_by, action="insights.action.add",
                           target=f"insights_action:{action.id}",
                           detail={"theme": theme, "title": title, "owner": owner, "taken_on": taken_on.isoformat()}))
    return ActionFact(action.id or 0, theme, title, owner, taken_on, recorded_by)


async def list_actions(session: AsyncSession, workspace_id: str) -> list[ActionFact]:
    return list(await load_actions(session, workspace_id))


async def set_department(session: AsyncSession, team: Team, department: str, actor: str) -> None:
    """Puts a team in a department (its parent group in reports); audited like every HR change."""
    department = department.strip()
    if not department or len(department) > 200:
        raise BadRecord("department must be 1 to 200 characters")
    assert team.id is not None
    row = await session.get(TeamDepartment, team.id)
    before = row.department if row else None
    if row is None:
        row = TeamDepartment(team_id=team.id, workspace_id=team.workspace_id, department=department)
    row.department = department
    session.add(row)
    session.add(AuditEntry(workspace_id=team.workspace_id, actor=actor, action="insights.department.set",
                           target=f"team:{team.id}", detail={"before": before, "after": department}))
