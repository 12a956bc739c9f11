"""No chasing: at most one gentle reminder for a nudge the leader ignored, after the campaign's
number of working days (default two; none when the campaign turns reminders off), and only inside
the leader's working hours when it actually goes out. The reminder row is written before the send
and its primary key is the nudge, so there is never a second one."""
from __future__ import annotations

import logging
from dataclasses import replace

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from bot.copy import Copy, load_copy
from bot.core import compose
from bot.core.port import DeliveryError, UnknownPlatform
from bot.core.services import Services
from bot.scheduling.cap import add_working_days
from bot.delivery.capability import reminder_marker, send_marked
from bot.delivery.followups import last_week
from bot.delivery.policy import Policy, held_reason, timing
from bot.delivery.prompts import prompt_for
from bot.delivery.states import NudgeState
from bot.scheduling.people import hours_of, pause_covering
from storage.tables import Campaign, Nudge, Person, Workspace
from storage.tables.scheduling import NudgeReminder

log = logging.getLogger(__name__)


def delivery_copy(locale: str | None = None) -> Copy:
    return load_copy(locale or "en", "delivery")


async def due_reminders(services: Services) -> list[tuple[int, str]]:
    """(nudge id, state to record) for ignored nudges whose reminder moment has come."""
    now = services.clock.now()
    async with services.db.session() as session:
        query = (select(Nudge, Campaign, Person)
                 .join(Campaign, col(Campaign.id) == col(Nudge.campaign_id))
                 .join(Person, col(Person.id) == col(Nudge.leader_id))
                 .outerjoin(NudgeReminder, col(NudgeReminder.nudge_id) == col(Nudge.id))
                 .where(Nudge.state == NudgeState.SENT, col(Nudge.sent_at).is_not(None), col(NudgeReminder.nudge_id).is_(None),
                        col(Campaign.reminder_after_days).is_not(None), col(Campaign.reminder_after_days) > 0))
        found = []
        for nudge, campaign, leader in (await session.exec(query)).all():
            assert nudge.sent_at is not None and campaign.reminder_after_days is not None
            hours = hours_of(leader)
            due = add_working_days(nudge.sent_at, campaign.reminder_after_days, hours)
            if due > now:
                continue
            verdict = timing(due, now, hours, Policy().grace_hours)
            if verdict.wait_until is not None:
                continue  # outside working hours (a catch-up at night): the next pass inside them sends it
            paused = await pause_covering(session, leader, now.astimezone(hours.zone).date())
            found.append((nudge.id or 0, "missed" if verdict.missed else "held" if paused else "sending"))
    return found


async def send_reminders(services: Services) -> int:
    sent = 0
    for nudge_id, state in await due_reminders(services):
        if await _remind(services, nudge_id, state):
            sent += 1
    return sent


async def _remind(services: Services, nudge_id: int, state: str) -> bool:
    now = services.clock.now()
    try:
        async with services.db.session() as session:
            nudge = await session.get(Nudge, nudge_id)
            leader = await session.get(Person, nudge.leader_id) if nudge else None
            workspace = await session.get(Workspace, nudge.workspace_id) if nudge else None
            assert nudge is not None and leader is not None and workspace is not None
            if held_reason(leader, workspace):
                state = "held"
            session.add(NudgeReminder(nudge_id=nudge_id, state=state, due_at=now))
            await session.flush()  # the primary key claims the one reminder before anything is sent
            copy = delivery_copy(leader.locale)
            prompt = prompt_for(services, nudge.pack, nudge.prompt_id, leader.locale)
            opener = await last_week(services, session, nudge)
            message = replace(compose.nudge_message(services.words(leader.locale), prompt, nudge_id, opener),
                              title=copy("reminder.title"), context=copy("reminder.context"))
            workspace_id, user_id = nudge.workspace_id, leader.platform_user_id
    except IntegrityError:
        return False  # another replica took it
    if state != "sending":
        return False
    try:
        result = await send_marked(services.platform(workspace_id), workspace_id, user_id, message,
                                   reminder_marker(nudge_id))
    except (DeliveryError, UnknownPlatform) as exc:
        reason = exc.reason if isinstance(exc, DeliveryError) else str(exc)
        async with services.db.session() as session:
            row = await session.get(NudgeReminder, nudge_id)
            if row is not None:  # a reminder is optional: one try, then let it go
                row.state, row.last_error = "failed", reason[:500]
                session.add(row)
        return False
    async with services.db.session() as session:
        row = await session.get(NudgeReminder, nudge_id)
        if row is not None:
            row.state, row.sent_at, row.platform_message_id = "sent", now, result.message_id
            session.add(row)
    return True
