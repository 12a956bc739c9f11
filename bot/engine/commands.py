"""Text commands, from a slash command or a DM: help, share, digest, streak, snooze, the settings,
optout, optin, status, and a person's say over their data (analysis, export, erase)."""
from __future__ import annotations

from functools import partial

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core import compose
from bot.engine import effects
from bot.engine.controls import SnoozeError, local_today, parse_snooze, pause, paused_until, set_opted_out
from bot.core.events import CommandReceived
from bot.core.messages import Fact, Message
from bot.core.progress import load_streak
from bot.core.services import Services
from bot.delivery import posts
from bot.delivery.digests import digests_now
from bot.engine.privacy_commands import erase_offer, export_message, set_analysis
from bot.engine.settings_commands import settings_command
from bot.engine.shares import open_share_form
from bot.core.vocabulary import SETTINGS_COMMANDS
from storage.repositories.people import teams_led_by
from storage.db import after_commit
from storage.tables import Nudge, Person


def parse_command(text: str) -> tuple[str, str]:
    """`/gofirst Snooze 2w` or `@GoFirst snooze 2w` → ("snooze", "2w")."""
    words = text.strip().split(maxsplit=1)
    if not words:
        return "help", ""
    return words[0].lower().lstrip("/"), words[1].strip() if len(words) > 1 else ""


async def run_command(services: Services, session: AsyncSession, person: Person, event: CommandReceived) -> None:
    name, argument = parse_command(event.text)
    async def say(message: Message) -> None:
        effects.say(services, session, person, message)

    copy = services.words(person.locale)
    now = services.clock.now()
    if name == "help":
        await say(compose.help_message(copy))
    elif name == "share":
        await open_share_form(services, session, person, event.trigger)
    elif name == "streak":
        await say(compose.streak_message(copy, await load_streak(session, person, now)))
    elif name == "snooze":
        today = local_today(person, now)
        try:
            until = parse_snooze(argument, today)
        except SnoozeError as exc:
            await say(compose.info(copy, str(exc)))
            return
        existing = await paused_until(session, person, today)
        await pause(session, person, "snooze", today, until)
        await say(compose.info(copy, "snooze.already" if existing == until else "snooze.done", until=until.isoformat()))
    elif name == "digest":
        post_ids, why = await digests_now(services, session, person)
        for post_id in post_ids:
            after_commit(session, partial(posts.dispatch, services, post_id))
        if why:
            await say(compose.info(copy, why))
    elif name == "analysis":
        await say(await set_analysis(services, session, person, argument))
    elif name == "export":
        await say(await export_message(services, session, person))
    elif name == "erase":
        await say(erase_offer(services))
    elif name in SETTINGS_COMMANDS:
        await say(await settings_command(copy, session, person, name, argument, now))
    elif name in ("optout", "optin"):
        changed = set_opted_out(session, person, name == "optout")
        await say(compose.info(copy, f"{name}.done" if changed else f"{name}.already"))
    elif name == "status":
        await say(await status_message(services, session, person))
    else:
        await say(compose.help_message(copy, unknown=name))


async def status_message(services: Services, session: AsyncSession, person: Person) -> Message:
    copy, now = services.words(person.locale), services.clock.now()
    assert person.id is not None
    teams = await teams_led_by(session, person.id)
    until = await paused_until(session, person, local_today(person, now))
    last = (await session.exec(select(Nudge).where(Nudge.leader_id == person.id, Nudge.sent_at.is_not(None))  # type: ignore[union-attr]
                               .order_by(col(Nudge.sent_at).desc()))).first()
    streak = await load_streak(session, person, now)
    facts = (
        Fact(copy("status.nudges"), copy("status.opted_out") if person.opted_out else copy("status.opted_in")),
        Fact(copy("status.snooze"), until.isoformat() if until else copy("status.not_snoozed")),
        Fact(copy("status.teams"), ", ".join(f"#{t.channel_name or t.name}" for t in teams) or copy("status.no_teams")),
        Fact(copy("status.last_nudge"), last.sent_at.date().isoformat() if last and last.sent_at else copy("status.never")),
        Fact(copy("status.streak"), copy.count("status.streak_value", streak.current, longest=streak.longest)),
        Fact(copy("status.timezone"), person.tz),
        Fact(copy("status.language"), copy(f"language.names.{copy.locale}")),
    )
    return Message(kind="status", title=copy("status.title"), text=copy("status.intro"), facts=facts)
