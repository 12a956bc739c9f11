"""Who a campaign nudges: listed leaders (by platform id or email), the leaders of teams or channels,
the members of a Slack user group or of a channel (from the last directory sync), or every leader
of the workspace (a leader is a person who leads a team). An entry that matches nobody is kept with
the reason, for the admin to see."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import Campaign, Person, Team
from storage.tables.admin import DirectoryGroup, DirectoryMember

AUDIENCE_KINDS = ("leaders", "teams", "channels", "usergroups", "channel_members", "workspace")
SYNC_HINT = "run `gofirst directory sync` (or Sync in the console) first"
# Ids per IN (...) list: asyncpg takes at most 32,767 bound parameters, and a 100,000-leader
# audience must still resolve.
CHUNK = 5000


@dataclass(frozen=True)
class Audience:
    people: list[Person]
    unknown: list[str]  # ids in the campaign that match nobody: shown to the admin, never fatal
    reasons: dict[str, str] = field(default_factory=dict)  # unknown id → why, when more can be said


async def resolve_audience(session: AsyncSession, campaign: Campaign) -> Audience:
    ws, ids, kind = campaign.workspace_id, [str(i) for i in campaign.audience_ids], campaign.audience_kind
    if kind == "leaders":
        return await _leaders(session, ws, ids)
    if kind in ("usergroups", "channel_members"):
        return await _groups(session, ws, ids, "usergroup" if kind == "usergroups" else "channel")
    teams_query = select(Team).where(Team.workspace_id == ws, col(Team.leader_id).is_not(None))
    teams = list((await session.exec(teams_query)).all())
    unknown: list[str] = []
    if kind in ("teams", "channels"):
        chosen = []
        for wanted in ids:
            match = [t for t in teams if wanted in ((t.name, str(t.id)) if kind == "teams"
                                                   else (t.channel_id, t.channel_name, f"#{t.channel_name}"))]
            chosen += match
            if not match:
                unknown.append(wanted)
        teams = chosen
    leader_ids = {t.leader_id for t in teams}
    if not leader_ids:
        return Audience([], unknown)
    return Audience(_sorted(await _people(session, list(leader_ids))), unknown)


async def _leaders(session: AsyncSession, ws: str, ids: list[str]) -> Audience:
    people: list[Person] = []
    for start in range(0, len(ids), CHUNK):
        part = ids[start:start + CHUNK]
        emails = [i.lower() for i in part if "@" in i]
        query = select(Person).where(Person.workspace_id == ws, col(Person.platform_user_id).in_(part)
                                     | func.lower(Person.email).in_(emails))
        people += (await session.exec(query)).all()
    found = {p.platform_user_id for p in people} | {(p.email or "").lower() for p in people}
    unknown = [i for i in ids if i not in found and i.lower() not in found]
    reasons = {i: f"matches nobody with that email in {ws}; {SYNC_HINT}, or import a CSV" for i in unknown if "@" in i}
    return Audience(_sorted(people), unknown, reasons)


async def _groups(session: AsyncSession, ws: str, ids: list[str], kind: str) -> Audience:
    groups = list((await session.exec(select(DirectoryGroup).where(DirectoryGroup.workspace_id == ws,
                                                                  DirectoryGroup.kind == kind))).all())
    what = "user group" if kind == "usergroup" else "channel"
    chosen: list[int] = []
    unknown: list[str] = []
    reasons: dict[str, str] = {}
    for wanted in ids:
        bare = wanted.lstrip("@#").lower()
        match = [g for g in groups if bare in (g.external_id.lower(), g.handle.lower(), g.name.lower())]
        members = [m for g in match for m in (await session.exec(
            select(DirectoryMember.person_id).where(DirectoryMember.group_id == g.id))).all()]
        if not members:
            unknown.append(wanted)
            reasons[wanted] = (f"is a {what} with no members in the directory" if match
                               else f"matches no {what} synced from {ws}; {SYNC_HINT}")
        chosen += members
    if not chosen:
        return Audience([], unknown, reasons)
    return Audience(_sorted(await _people(session, chosen)), unknown, reasons)


async def _people(session: AsyncSession, ids: Sequence[int | None]) -> list[Person]:
    wanted = sorted({i for i in ids if i is not None})
    people: list[Person] = []
    for start in range(0, len(wanted), CHUNK):
        people += (await session.exec(select(Person).where(col(Person.id).in_(wanted[start:start + CHUNK])))).all()
    return people


def _sorted(people: list[Person]) -> list[Person]:
    return sorted({p.id: p for p in people}.values(), key=lambda p: p.id or 0)
