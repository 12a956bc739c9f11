"""The leader's answer to a nudge: share, snooze, skip or not for me. The delivery package owns the
nudge's states; this flow asks it to move one and rewrites the message after the commit."""
from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.delivery import states
from bot.delivery.prompts import prompt_for
from bot.delivery.states import NudgeState
from bot.core import compose
from bot.engine import effects
from bot.engine.controls import local_today, parse_snooze, pause, set_opted_out
from bot.core.messages import Sent
from bot.core.services import Services
from storage.tables import Nudge, Person


def close_nudge(services: Services, session: AsyncSession, nudge: Nudge, state: NudgeState, outcome_key: str,
                **values: str) -> None:
    """Records the leader's choice and, once committed, rewrites the nudge (in the language the
    flow speaks, the leader's) so its buttons don't linger."""
    if not states.can_move(nudge.state, state):
        return
    states.move(nudge, state)
    session.add(nudge)
    if not (nudge.channel_id and nudge.platform_message_id):
        return
    text = prompt_for(services, nudge.pack, nudge.prompt_id, services.copy.locale).text
    message = compose.nudge_closed_message(services.copy, text, outcome_key, **values)
    effects.rewrite(services, session, nudge.workspace_id, Sent(nudge.channel_id, nudge.platform_message_id),
                    message, f"nudge {nudge.id}")


async def leaders_nudge(session: AsyncSession, person: Person, value: str) -> Nudge | None:
    """The nudge a button refers to, only if it belongs to the person who clicked."""
    if not value.isdigit():
        return None
    nudge = await session.get(Nudge, int(value))
    return nudge if nudge is not None and nudge.leader_id == person.id else None


async def snooze_nudge(services: Services, session: AsyncSession, person: Person, nudge: Nudge) -> str:
    today = local_today(person, services.clock.now())
    until = parse_snooze("1w", today)
    await pause(session, person, "snooze", today, until)
    close_nudge(services, session, nudge, NudgeState.SNOOZED, "nudge.snoozed", until=until.isoformat())
    return until.isoformat()


def skip_nudge(services: Services, session: AsyncSession, nudge: Nudge) -> None:
    close_nudge(services, session, nudge, NudgeState.SKIPPED, "nudge.skipped")


def decline_nudge(services: Services, session: AsyncSession, person: Person, nudge: Nudge) -> None:
    set_opted_out(session, person, True)
    close_nudge(services, session, nudge, NudgeState.DECLINED, "nudge.declined")
