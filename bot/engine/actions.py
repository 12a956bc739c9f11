"""Buttons: one flow per action id (a dispatch table, not a chain of string tests). A button on a
nudge only means something while that nudge is still answerable."""
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.coach import theme_label
from bot.delivery.digests import RAISABLE
from bot.delivery.states import ANSWERABLE
from bot.engine import effects
from bot.engine.controls import audit, local_today, parse_snooze, pause, set_opted_out
from bot.core.events import ActionClicked
from bot.engine.home import publish_home
from bot.core.messages import Sent
from bot.engine.nudges import decline_nudge, leaders_nudge, skip_nudge, snooze_nudge
from bot.engine.posting import post_share
from bot.engine.private import open_private_form
from bot.engine.privacy_commands import erase_me
from bot.engine.replies import open_answer_form
from bot.core.services import Services
from bot.engine.revisions import open_revise_form, withdraw
from bot.engine.shares import edit_share, open_share_form, reframe_share
from bot.core.vocabulary import ActionId
from storage.repositories.raised import raise_barrier
from storage.repositories.shares import replies_for
from storage.tables import Person, Share
from storage.tables.loop import PrivateNote

log = logging.getLogger(__name__)
ActionFlow = Callable[[Services, AsyncSession, Person, ActionClicked], Awaitable[None]]


def clicked_message(event: ActionClicked) -> Sent | None:
    """Where the clicked button sits, so the flow can settle it once it has done its work."""
    return Sent(event.channel_id, event.message_id) if event.channel_id and event.message_id else None


async def on_nudge(services: Services, session: AsyncSession, person: Person, event: ActionClicked) -> None:
    nudge = await leaders_nudge(session, person, event.value)
    if nudge is None or nudge.state not in ANSWERABLE:
        effects.dm(services, session, person, "nudge.already_answered")
    elif event.action_id == ActionId.NUDGE_SHARE:
        await open_share_form(services, session, person, event.trigger, context=f"nudge:{nudge.id}")
    elif event.action_id == ActionId.NUDGE_SNOOZE:
        await snooze_nudge(services, session, person, nudge)
    elif event.action_id == ActionId.NUDGE_SKIP:
        skip_nudge(services, session, nudge)
    else:
        decline_nudge(services, session, person, nudge)


async def on_post(services: Services, session: AsyncSession, person: Person, event: ActionClicked) -> None:
    await post_share(services, session, person, event.value, clicked_message(event))


async def on_reframe(services: Services, session: AsyncSession, person: Person, event: ActionClicked) -> None:
    await reframe_share(services, session, person, event.value, clicked_message(event))


async def on_edit(services: Services, session: AsyncSession, person: Person, event: ActionClicked) -> None:
    await edit_share(services, session, person, event.value, event.trigger)


async def on_answer(services: Services, session: AsyncSession, person: Person, event: ActionClicked) -> None:
    await open_answer_form(services, session, person, event.value, event.trigger)


async def on_raise(services: Services, session: AsyncSession, person: Person, event: ActionClicked) -> None:
    """"Raise this with HR" on a digest: the barrier's theme, with the share's team, campaign and week
    and never who named it, goes onto HR's list of system barriers, once per share and theme; audited."""
    share_ref, _, theme = event.value.partition(":")
    share = await session.get(Share, int(share_ref)) if share_ref.isdigit() else None
    if share is None or share.leader_id != person.id or share.status != "posted" or theme not in RAISABLE \
            or theme not in await named_on(session, share):
        effects.dm(services, session, person, "raise.not_raisable")
        return
    label = theme_label(theme, services.copy.locale)
    if not await raise_barrier(session, share, theme, services.clock.now()):
        effects.dm(services, session, person, "raise.already", theme=label)
        return
    audit(session, person, "barrier.raised", share=share.id, theme=theme)
    effects.dm(services, session, person, "raise.done", theme=label)


async def named_on(session: AsyncSession, share: Share) -> set[str]:
    """The barrier themes teammates named under a share, in the thread or privately."""
    assert share.id is not None
    notes = (await session.exec(select(PrivateNote.themes).where(PrivateNote.share_id == share.id))).all()
    replies = [r.themes for r in await replies_for(session, share.id) if not r.is_leader]
    return {theme for themes in [*replies, *notes] for theme in themes}


async def on_revise(services: Services, session: AsyncSession, person: Person, event: ActionClicked) -> None:
    await open_revise_form(services, session, person, event.value, event.trigger)


async def on_withdraw(services: Services, session: AsyncSession, person: Person, event: ActionClicked) -> None:
    await withdraw(services, session, person, event.value, clicked_message(event))


async def on_tell(services: Services, session: AsyncSession, person: Person, event: ActionClicked) -> None:
    await open_private_form(services, session, person, event.value, event.trigger)


async def on_erase(services: Services, session: AsyncSession, person: Person, event: ActionClicked) -> None:
    await erase_me(services, session, person, clicked_message(event))


async def on_home_share(services: Services, session: AsyncSession, person: Person, event: ActionClicked) -> None:
    await open_share_form(services, session, person, event.trigger)


async def on_home_control(services: Services, session: AsyncSession, person: Person, event: ActionClicked) -> None:
    if event.action_id == ActionId.HOME_SNOOZE:
        today = local_today(person, services.clock.now())
        await pause(session, person, "snooze", today, parse_snooze("1w", today))
    else:
        set_opted_out(session, person, event.action_id == ActionId.HOME_OPTOUT)
    await publish_home(services, session, person)


FLOWS: dict[str, ActionFlow] = {
    ActionId.NUDGE_SHARE: on_nudge, ActionId.NUDGE_SNOOZE: on_nudge, ActionId.NUDGE_SKIP: on_nudge,
    ActionId.NUDGE_OPTOUT: on_nudge, ActionId.SHARE_POST: on_post, ActionId.SHARE_REFRAME: on_reframe,
    ActionId.SHARE_EDIT: on_edit, ActionId.DIGEST_ANSWER: on_answer, ActionId.HOME_SHARE: on_home_share,
    ActionId.HOME_SNOOZE: on_home_control, ActionId.HOME_OPTOUT: on_home_control, ActionId.HOME_OPTIN: on_home_control,
    ActionId.SHARE_REVISE: on_revise, ActionId.SHARE_WITHDRAW: on_withdraw, ActionId.SHARE_TELL: on_tell,
    ActionId.PRIVACY_ERASE: on_erase, ActionId.DIGEST_RAISE: on_raise,
}


async def run_action(services: Services, session: AsyncSession, person: Person, event: ActionClicked) -> None:
    flow = FLOWS.get(event.action_id)
    if flow is None:
        log.warning("unknown action %r from %s", event.action_id[:80], person.workspace_id)
        effects.dm(services, session, person, "errors.unknown_action")
        return
    await flow(services, session, person, event)
