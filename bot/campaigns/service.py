"""Campaign lifecycle for admins: create or update from a spec, draft → active → paused → ended,
list and show (with failures an admin must see), export back to a spec."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.campaigns.audience import resolve_audience
from bot.campaigns.diff import Change, difference
from bot.campaigns.spec import TRANSITIONS, CampaignSpec, FieldError, InvalidCampaign, validate, weekday_number
from bot.delivery.states import ATTENTION, OPEN, NudgeState, move
from bot.core.services import Services
from bot.scheduling.planner import SHORT_DAYS, parse_days
from storage.repositories.people import find_person, team_by_channel
from storage.tables import AuditEntry, Campaign, Nudge, Person, Team, Workspace
from storage.tables.scheduling import CampaignSchedule



class CampaignNotFound(LookupError):
    pass


class BadTransition(ValueError):
    pass


class CampaignExists(ValueError):
    """Saving over a campaign needs explicit intent (`--replace`, the console's edit); `changes`
    says what it would change."""

    def __init__(self, name: str, workspace_id: str, changes: list[Change]) -> None:
        super().__init__(f"campaign {name!r} already exists in {workspace_id}; pass --replace to save over it")
        self.changes = changes


async def find_campaign(session: AsyncSession, workspace_id: str, name: str) -> Campaign:
    query = select(Campaign).where(Campaign.workspace_id == workspace_id, Campaign.name == name)
    campaign = (await session.exec(query)).first()
    if campaign is None:
        names = (await session.exec(select(Campaign.name).where(Campaign.workspace_id == workspace_id))).all()
        raise CampaignNotFound(f"no campaign named {name!r} in {workspace_id}"
                               + (f"; campaigns there: {', '.join(sorted(names))}" if names else ""))
    return campaign


async def save(services: Services, workspace_id: str, spec: CampaignSpec, *, replace: bool = False,
               actor: str | None = None, via: str = "cli") -> tuple[Campaign, bool]:
    """Creates the campaign, or (with `replace`) updates the one with that name; an actor's save is
    audited with the spec before and after. Returns (campaign, created)."""
    errors = validate(spec, services.packs)
    if errors:
        raise InvalidCampaign(errors)
    async with services.db.session() as session:
        if await session.get(Workspace, workspace_id) is None:
            raise InvalidCampaign([FieldError("workspace", f"{workspace_id!r} is not installed",
                                              "pass an existing workspace id, e.g. slack:T123 or local:demo")])
        query = select(Campaign).where(Campaign.workspace_id == workspace_id, Campaign.name == spec.name)
        campaign = (await session.exec(query)).first()
        created = campaign is None
        before = None if campaign is None else await to_spec(session, campaign)
        if before is not None and not replace:
            raise CampaignExists(spec.name, workspace_id, difference(before, spec))
        if campaign is None:
            campaign = Campaign(workspace_id=workspace_id, name=spec.name, pack=spec.pack)
        elif campaign.state == "ended":
            raise BadTransition(f"campaign {spec.name!r} has ended; import it under a new name")
        campaign.pack, campaign.cron = spec.pack, spec.cron or None
        campaign.weekday = weekday_number(spec.weekday) or 0
        campaign.local_time, campaign.every_n_weeks = spec.time, spec.every_n_weeks
        campaign.audience_kind, campaign.audience_ids = spec.audience_kind, list(spec.audience)
        campaign.start_date = date.fromisoformat(spec.start_date) if spec.start_date else None
        campaign.end_date = date.fromisoformat(spec.end_date) if spec.end_date else None
        campaign.quiet_days = ",".join(str(d) for d in sorted(parse_days(",".join(spec.quiet_days))))
        # 0 means off: SQLAlchemy leaves a None out of an INSERT, so the column default (2) would win
        campaign.reminder_after_days = spec.reminder_after_days or 0
        campaign.updated_at = services.clock.now()
        audience = await resolve_audience(session, campaign)
        problems = [FieldError("audience.ids", f"{i!r} " + audience.reasons.get(
            i, f"matches no {spec.audience_kind[:-1] or 'leader'} in {workspace_id}"),
            "check the platform id, email or name, or remove it") for i in audience.unknown]
        for user_id in spec.team_channels:
            if await find_person(session, workspace_id, user_id) is None:
                problems.append(FieldError(f"team_channels.{user_id}", f"{user_id!r} is nobody in {workspace_id}",
                                           "use the leader's platform user id"))
        if not audience.people:
            problems.append(FieldError("audience", f"nobody to nudge in {workspace_id}",
                                       "list leaders, or teams/channels that have a leader"))
        if problems:
            raise InvalidCampaign(problems)
        session.add(campaign)
        await session.flush()
        assert campaign.id is not None
        schedule = await session.get(CampaignSchedule, campaign.id) or CampaignSchedule(campaign_id=campaign.id)
        schedule.team_channels, schedule.grace_hours = dict(spec.team_channels), spec.grace_hours
        schedule.timezone = spec.timezone or None
        session.add(schedule)
        await assign_team_channels(session, workspace_id, spec.team_channels)
        if actor is not None:
            session.add(AuditEntry(workspace_id=workspace_id, actor=actor, target=f"campaign:{campaign.id}",
                                   action="campaign.created" if created else "campaign.updated",
                                   detail={"via": via, "before": before.to_yaml_dict() if before else None,
                                           "after": (await to_spec(session, campaign)).to_yaml_dict()}))
    if spec.state and spec.state != campaign.state and spec.state != "draft":
        campaign = await transition(services, workspace_id, spec.name, spec.state, actor=actor, via=via)
    return campaign, created


async def pending_changes(services: Services, workspace_id: str, spec: CampaignSpec) -> list[Change] | None:
    """What saving `spec` would change; None when no campaign has that name yet."""
    async with services.db.session() as session:
        query = select(Campaign).where(Campaign.workspace_id == workspace_id, Campaign.name == spec.name)
        campaign = (await session.exec(query)).first()
        return None if campaign is None else difference(await to_spec(session, campaign), spec)


async def assign_team_channels(session: AsyncSession, workspace_id: str, channels: dict[str, str]) -> None:
    """Each leader's team channel becomes a team they lead, so their share form offers it at once.
    A channel that already has another leader keeps them."""
    for user_id, channel_id in channels.items():
        leader = await find_person(session, workspace_id, user_id)
        assert leader is not None  # validated before saving
        team = await team_by_channel(session, workspace_id, channel_id)
        if team is None:
            session.add(Team(workspace_id=workspace_id, name=channel_id, channel_id=channel_id,
                             channel_name=channel_id, leader_id=leader.id))
        elif team.leader_id is None:
            team.leader_id = leader.id
            session.add(team)
    await session.flush()


async def transition(services: Services, workspace_id: str, name: str, state: str, *,
                     actor: str | None = None, via: str = "cli", why: str | None = None) -> Campaign:
    """Moves a campaign along its lifecycle; the one writer of a campaign's state (CLI, playground,
    the planner's auto-end). Pausing or ending holds its unsent nudges; resuming releases them (the
    grace window then decides whether each is still worth sending). An actor's change is audited."""
    async with services.db.session() as session:
        campaign = await find_campaign(session, workspace_id, name)
        if campaign.state == state:
            return campaign
        if actor is not None:
            session.add(AuditEntry(workspace_id=workspace_id, actor=actor, action=audit_action(campaign.state, state),
                                   target=f"campaign:{campaign.id}",
                                   detail={"from": campaign.state, "to": state, "via": via,
                                           **({"why": why} if why else {})}))
        if campaign.state not in TRANSITIONS[state]:
            raise BadTransition(f"campaign {name!r} is {campaign.state}; it can't become {state} "
                                f"(allowed from: {', '.join(TRANSITIONS[state])})")
        campaign.state, campaign.updated_at = state, services.clock.now()
        session.add(campaign)
        schedule = await session.get(CampaignSchedule, campaign.id) or CampaignSchedule(campaign_id=campaign.id or 0)
        if state == "active":  # plan from now: no "missed" rows for weeks it was paused or a draft
            schedule.activated_at = services.clock.now()
        session.add(schedule)
        nudges = (await session.exec(select(Nudge).where(Nudge.campaign_id == campaign.id))).all()
        for nudge in nudges:
            if state in ("paused", "ended") and nudge.state in OPEN:
                move(nudge, NudgeState.HELD, f"campaign {state}")
                session.add(nudge)
            elif state == "active" and nudge.state == NudgeState.HELD and nudge.last_error == "campaign paused":
                move(nudge, NudgeState.PLANNED)
                session.add(nudge)
        return campaign


def audit_action(before: str, after: str) -> str:
    if after == "active":
        return "campaign.resumed" if before == "paused" else "campaign.started"
    return f"campaign.{after}"


async def list_campaigns(services: Services, workspace_id: str) -> list[Campaign]:
    async with services.db.session() as session:
        query = select(Campaign).where(Campaign.workspace_id == workspace_id).order_by(col(Campaign.name))
        return list((await session.exec(query)).all())


async def to_spec(session: AsyncSession, campaign: Campaign) -> CampaignSpec:
    schedule = await session.get(CampaignSchedule, campaign.id)
    return CampaignSpec(
        name=campaign.name, pack=campaign.pack, weekday=SHORT_DAYS[campaign.weekday], time=campaign.local_time,
        every_n_weeks=campaign.every_n_weeks, cron=campaign.cron, timezone=schedule.timezone if schedule else None,
        audience_kind=campaign.audience_kind, audience=[str(i) for i in campaign.audience_ids],
        start_date=campaign.start_date.isoformat() if campaign.start_date else None,
        end_date=campaign.end_date.isoformat() if campaign.end_date else None,
        quiet_days=[SHORT_DAYS[d] for d in sorted(parse_days(campaign.quiet_days or ""))],
        team_channels=dict(schedule.team_channels) if schedule else {},
        reminder_after_days=campaign.reminder_after_days or None,
        grace_hours=schedule.grace_hours if schedule else None, state=campaign.state)


async def export_specs(services: Services, workspace_id: str, name: str | None = None) -> list[dict[str, Any]]:
    async with services.db.session() as session:
        campaigns = [await find_campaign(session, workspace_id, name)] if name else \
            list((await session.exec(select(Campaign).where(Campaign.workspace_id == workspace_id)
                                     .order_by(col(Campaign.name)))).all())
        return [(await to_spec(session, c)).to_yaml_dict() for c in campaigns]


@dataclass
class Summary:
    campaign: Campaign
    spec: CampaignSpec
    counts: dict[str, int]
    attention: list[dict[str, str]]  # nudges an admin should look at, with the reason


async def show(services: Services, workspace_id: str, name: str) -> Summary:
    async with services.db.session() as session:
        campaign = await find_campaign(session, workspace_id, name)
        rows = (await session.exec(select(Nudge, Person).join(Person, col(Person.id) == col(Nudge.leader_id))
                                   .where(Nudge.campaign_id == campaign.id).order_by(col(Nudge.due_at)))).all()
        attention = [{"leader": p.platform_user_id, "period": n.period, "state": n.state, "reason": n.last_error or ""}
                     for n, p in rows if n.state in ATTENTION]
        return Summary(campaign, await to_spec(session, campaign), dict(Counter(n.state for n, _ in rows)), attention)
