"""Dana's admin pane: start the demo campaign, send a nudge or the digest now, show the streak.
These call the same engine functions the scheduler calls; the pane only saves waiting a week."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import select

from bot.campaigns.service import transition
from bot.copy import Copy
from bot.demo import ADMIN, DemoIds
from bot.delivery import send_now
from bot.core.progress import load_streak, local_week
from bot.delivery import posts
from bot.delivery.digests import digests_now
from bot.core.services import Services
from storage.repositories.people import team_members
from storage.repositories.shares import posted_shares
from storage.tables import Campaign, Nudge, Person, Team


@dataclass(frozen=True)
class AdminResult:
    """The pane's answer: `status` is the HTTP status, `notice` the sentence shown to Dana."""

    status: int
    notice: str
    changed: bool


async def people(services: Services, ids: DemoIds) -> list[dict[str, Any]]:
    """Who can act in the playground: the leader, the team, and the admin, with their roles."""
    async with services.db.session() as session:
        leader = await session.get(Person, ids.leader_id)
        team = await session.get(Team, ids.team_id)
        members = await team_members(session, ids.team_id)
        query = select(Person).where(Person.workspace_id == ids.workspace_id, Person.platform_user_id == ADMIN[0])
        admin = (await session.exec(query)).first()
    assert leader is not None and team is not None
    found = [(leader, "leader")] + [(m, "member") for m in members if m.id != leader.id]
    found += [(admin, "admin")] if admin else []
    return [{"id": p.platform_user_id, "name": p.display_name, "role": role, "tz": p.tz} for p, role in found]


async def status(services: Services, ids: DemoIds) -> dict[str, Any]:
    async with services.db.session() as session:
        campaign = await session.get(Campaign, ids.campaign_id)
        leader = await session.get(Person, ids.leader_id)
        assert campaign is not None and leader is not None
        now = services.clock.now()
        streak = await load_streak(session, leader, now)
        query = select(Nudge).where(Nudge.campaign_id == campaign.id, Nudge.leader_id == leader.id,
                                    Nudge.period == local_week(leader, now))
        nudge = (await session.exec(query)).first()
        latest = await posted_shares(session, ids.leader_id, limit=1)
    return {
        "campaign": {"id": campaign.id, "name": campaign.name, "state": campaign.state, "pack": campaign.pack},
        "streak": {"current": streak.current, "longest": streak.longest,
                   "this_week_counted": streak.this_week_counted, "waiting_for_answer": streak.waiting_for_answer},
        "week_nudge": nudge.state if nudge else None,
        "latest_share_id": latest[0].id if latest else None,
    }


async def start_campaign(services: Services, ids: DemoIds, words: Copy) -> AdminResult:
    """Draft → active, audited as Dana's change; starting it again changes nothing."""
    async with services.db.session() as session:
        campaign = await session.get(Campaign, ids.campaign_id)
        assert campaign is not None
        if campaign.state == "active":
            return AdminResult(200, words("admin.already_started"), False)
        name = campaign.name
    await transition(services, ids.workspace_id, name, "active", actor=ADMIN[0], via="playground")
    return AdminResult(200, words("admin.started"), True)


async def nudge_now(services: Services, ids: DemoIds, words: Copy) -> AdminResult:
    """This week's nudge for Alex, once: a second press says so instead of sending again."""
    async with services.db.session() as session:
        campaign = await session.get(Campaign, ids.campaign_id)
        assert campaign is not None
        active = campaign.state == "active"
    if not active:
        return AdminResult(409, words("admin.not_started"), False)
    try:
        nudge, sent = await send_now(services, ids.campaign_id, ids.leader_id)
    except LookupError:  # a second press while the first is sending it
        return AdminResult(200, words("admin.nudge_in_flight"), False)
    if sent:
        return AdminResult(200, words("admin.nudge_sent"), True)
    if nudge.state == "held":
        return AdminResult(200, words("admin.nudge_held"), False)
    if nudge.state == "failed":
        return AdminResult(200, words("admin.nudge_failed", reason=nudge.last_error or ""), False)
    return AdminResult(200, words("admin.nudge_already", state=words(f"admin.nudge_states.{nudge.state}")), False)


async def digest_now(services: Services, ids: DemoIds, words: Copy) -> AdminResult:
    """Alex's digest now, by the same path as the `digest` command: what he hasn't had yet, once."""
    async with services.db.session() as session:
        leader = await session.get(Person, ids.leader_id)
        assert leader is not None
        post_ids, why = await digests_now(services, session, leader)
    for post_id in post_ids:
        await posts.dispatch(services, post_id)
    if why == "digest.no_share":
        return AdminResult(409, words("admin.no_share"), False)
    if why is not None:
        return AdminResult(200, words(f"admin.{why.replace('.', '_')}"), False)
    return AdminResult(200, words("admin.digest_sent"), True)
