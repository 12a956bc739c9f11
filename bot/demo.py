"""The demo workspace behind `gofirst demo`: a leader, five team members, an HR admin, one campaign."""
from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import select

from bot.core.services import Services
from storage.repositories.people import add_member, ensure_person, ensure_workspace, team_by_channel
from storage.tables import Campaign, Team

DEMO_WORKSPACE = "local:demo"
DEMO_CHANNEL = "product-team"
DEMO_CAMPAIGN = "Going first (demo)"
LEADER = ("alex", "Alex Rivera", "Europe/London")
MEMBERS = (
    ("sam", "Sam Okafor", "Europe/London"),
    ("priya", "Priya Nair", "Asia/Kolkata"),
    ("jordan", "Jordan Lee", "America/New_York"),
    ("mei", "Mei Chen", "Asia/Singapore"),
    ("tomas", "Tomás García", "Europe/Madrid"),
)
ADMIN = ("dana", "Dana Brooks (HR)", "Europe/London")


@dataclass(frozen=True)
class DemoIds:
    workspace_id: str
    leader_id: int
    team_id: int
    campaign_id: int


async def seed_demo(services: Services) -> DemoIds:
    """Creates whatever of the demo is missing; running it again changes nothing."""
    async with services.db.session() as session:
        await ensure_workspace(session, DEMO_WORKSPACE, "GoFirst demo")
        leader = await ensure_person(session, DEMO_WORKSPACE, LEADER[0], LEADER[1], LEADER[2])
        admin = await ensure_person(session, DEMO_WORKSPACE, ADMIN[0], ADMIN[1], ADMIN[2])
        if not admin.is_admin:
            admin.is_admin = True
            session.add(admin)
        team = await team_by_channel(session, DEMO_WORKSPACE, DEMO_CHANNEL)
        if team is None:
            team = Team(workspace_id=DEMO_WORKSPACE, name="Product team", leader_id=leader.id,
                        channel_id=DEMO_CHANNEL, channel_name=DEMO_CHANNEL)
            session.add(team)
            await session.flush()
        for user_id, name, tz in MEMBERS:
            await add_member(session, team, await ensure_person(session, DEMO_WORKSPACE, user_id, name, tz))
        query = select(Campaign).where(Campaign.workspace_id == DEMO_WORKSPACE, Campaign.name == DEMO_CAMPAIGN)
        campaign = (await session.exec(query)).first()
        if campaign is None:
            campaign = Campaign(workspace_id=DEMO_WORKSPACE, name=DEMO_CAMPAIGN, pack="going-first",
                                state="draft", audience_kind="leaders", audience_ids=[LEADER[0]])
            session.add(campaign)
            await session.flush()
        assert leader.id is not None and team.id is not None and campaign.id is not None
        return DemoIds(DEMO_WORKSPACE, leader.id, team.id, campaign.id)
