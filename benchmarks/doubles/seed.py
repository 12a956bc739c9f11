"""A fan-out world, written with bulk inserts (seeding is setup, not what is measured): workspaces,
leaders with a team each, one active campaign per workspace due a few minutes ago, and what each
platform needs to reach a leader (a Slack installation per workspace; a Teams 1:1 reference each)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import insert
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from benchmarks.doubles.slack import token_for
from storage.db import Database
from storage.tables import Campaign, Person, Team, Workspace
from storage.tables.scheduling import CampaignSchedule
from storage.tables.teams import TeamsConversation

CHUNK = 5000
BOT = {"id": "28:gofirst-bench", "name": "GoFirst"}


def native(platform: str, w: int) -> str:
    return f"T{w:04d}" if platform == "slack" else f"00000000-0000-4000-8000-{w:012d}"


def user(platform: str, w: int, n: int) -> str:
    return f"U{w:04d}X{n:06d}" if platform == "slack" else f"29:lead-{w}-{n}"


async def seed(db: Database, platform: str, leaders: int, workspaces: int, now: datetime,
               service_url: str = "") -> list[int]:
    """Returns the campaign ids. Leaders work around the clock in UTC, so every nudge is due now."""
    due = now - timedelta(minutes=5)
    campaigns: list[int] = []
    async with db.session() as session:
        for w in range(workspaces):
            ws = f"{platform}:{native(platform, w)}"
            session.add(Workspace(id=ws, platform=platform, name=f"bench {w}"))
        await session.flush()
        share = [leaders // workspaces + (1 if w < leaders % workspaces else 0) for w in range(workspaces)]
        for w, count in enumerate(share):
            ws = f"{platform}:{native(platform, w)}"
            for start in range(0, count, CHUNK):
                rows = [{"workspace_id": ws, "platform_user_id": user(platform, w, n), "display_name": f"Leader {n}",
                         "tz": "UTC", "tz_overridden": False, "work_start": "00:00", "work_end": "23:59",
                         "quiet_days": "", "is_admin": False, "opted_out": False, "analysis_opted_out": False,
                         "created_at": now} for n in range(start, min(start + CHUNK, count))]
                await session.execute(insert(Person), rows)
            ids = (await session.exec(select(Person.id, Person.platform_user_id)
                                      .where(Person.workspace_id == ws))).all()
            teams = [{"workspace_id": ws, "name": f"team {uid}", "leader_id": pid, "channel_id": f"C{uid[1:]}",
                      "channel_name": "", "created_at": now} for pid, uid in ids]
            for start in range(0, len(teams), CHUNK):
                await session.execute(insert(Team), teams[start:start + CHUNK])
            if platform == "teams":
                await _teams_references(session, ws, native(platform, w), [uid for _, uid in ids], service_url, now)
            campaign = Campaign(workspace_id=ws, name="fan-out", pack="going-first", state="active",
                                weekday=due.weekday(), local_time=f"{due:%H:%M}", audience_kind="workspace",
                                created_at=now - timedelta(days=1), reminder_after_days=None)
            session.add(campaign)
            await session.flush()
            assert campaign.id is not None
            session.add(CampaignSchedule(campaign_id=campaign.id, activated_at=now - timedelta(days=1),
                                         timezone="UTC"))
            campaigns.append(campaign.id)
    return campaigns


async def _teams_references(session: AsyncSession, ws: str, tenant: str, users: list[str], service_url: str,
                            now: datetime) -> None:
    rows, service_url = [], service_url.format(tenant=tenant)
    for uid in users:
        conversation = f"a:1personal-{uid[3:]}"
        reference = {"bot": BOT, "user": {"id": uid}, "channelId": "msteams", "serviceUrl": service_url,
                     "conversation": {"id": conversation, "conversationType": "personal", "tenantId": tenant}}
        rows.append({"workspace_id": ws, "conversation_id": conversation, "kind": "personal", "user_id": uid,
                     "name": uid, "tz": "UTC", "service_url": service_url, "reference": reference,
                     "updated_at": now})
    for start in range(0, len(rows), CHUNK):
        await session.execute(insert(TeamsConversation), rows[start:start + CHUNK])


def installation(w: int) -> Installation:
    team = native("slack", w)
    return Installation(app_id="A0BENCH", enterprise_id=None, team_id=team, team_name=f"bench {w}",
                        bot_token=token_for(team), bot_id="B0BENCH", bot_user_id="U0BOT", bot_scopes=["chat:write"],
                        user_id="U0ADMIN", installed_at=datetime.now(timezone.utc).timestamp())
