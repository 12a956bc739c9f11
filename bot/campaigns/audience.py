"""Who a campaign nudges: listed leaders, the leaders of teams or channels, or every leader of the
workspace (a leader is a person who leads a team)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import Campaign, Person, Team

AUDIENCE_KINDS = ("leaders", "teams", "channels", "workspace")


@dataclass(frozen=True)
class Audience:
    people: list[Person]
    unknown: list[str]  # ids in the campaign that match nobody: shown to the admin, never fatal


async def resolve_audience(session: AsyncSession, campaign: Campaign) -> Audience:
    ws, ids, kind = campaign.workspace_id, [str(i) for i in campaign.audience_ids], campaign.audience_kind
    if kind == "leaders":
        query = select(Person).where(Person.workspace_id == ws, col(Person.platform_user_id).in_(ids))
        people = list((await session.exec(query)).all())
        found = {p.platform_user_id for p in people}
        return Audience(_sorted(people), [i for i in ids if i not in found])
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
    people = list((await session.exec(select(Person).where(col(Person.id).in_(leader_ids)))).all())
    return Audience(_sorted(people), unknown)


def _sorted(people: list[Person]) -> list[Person]:
    return sorted({p.id: p for p in people}.values(), key=lambda p: p.id or 0)
