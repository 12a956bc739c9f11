"""The leader's own settings from a command: vacation, skip this week, timezone, working hours,
language. Each answers with what changed, or with how to write it when it can't be read."""
from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.copy import Copy, available_locales, load_copy, normalize_locale
from bot.core import compose
from bot.engine.controls import SnoozeError, local_today, skip_this_week, vacation
from bot.core.messages import Message
from bot.scheduling.people import override_hours, override_timezone
from bot.scheduling.planner import PlanError
from storage.tables import Person


async def settings_command(copy: Copy, session: AsyncSession, person: Person, name: str, argument: str,
                           now: datetime) -> Message:
    today = local_today(person, now)
    if name == "vacation":
        try:
            entry = await vacation(session, person, today, argument)
        except SnoozeError as exc:
            return compose.info(copy, "vacation.usage" if str(exc) == "snooze.usage" else str(exc))
        return compose.info(copy, "vacation.done", until=entry.ends_on.isoformat())
    if name == "skip":
        entry = await skip_this_week(session, person, today)
        return compose.info(copy, "skip.done", until=entry.ends_on.isoformat())
    if name == "timezone":
        return set_timezone(copy, session, person, argument.strip())
    if name == "language":
        return set_language(copy, session, person, argument.strip())
    return set_hours(copy, session, person, argument.strip())


def set_timezone(copy: Copy, session: AsyncSession, person: Person, zone: str) -> Message:
    if not zone:
        return compose.info(copy, "timezone.current", zone=person.tz)
    if zone.lower() == "auto":
        override_timezone(session, person, None)
        return compose.info(copy, "timezone.auto")
    try:
        override_timezone(session, person, zone)
    except PlanError:
        return compose.info(copy, "timezone.unknown", zone=zone)
    return compose.info(copy, "timezone.done", zone=zone)


def set_hours(copy: Copy, session: AsyncSession, person: Person, argument: str) -> Message:
    """`hours 08:30-16:30`, optionally followed by quiet days as numbers (0 = Monday): `hours 9:00-17:00 4,5,6`."""
    words = argument.split()
    if not words or words[0].count("-") != 1:
        return compose.info(copy, "hours.usage", start=person.work_start, end=person.work_end)
    start, end = (part.strip() for part in words[0].split("-"))
    try:
        override_hours(session, person, start, end, words[1] if len(words) > 1 else None)
    except PlanError:
        return compose.info(copy, "hours.usage", start=person.work_start, end=person.work_end)
    return compose.info(copy, "hours.done", start=person.work_start, end=person.work_end)


def set_language(copy: Copy, session: AsyncSession, person: Person, code: str) -> Message:
    """`language de` picks German for good (the platform's locale no longer counts); the answer
    comes in the new language. On its own it names the current one."""
    choices = ", ".join(f"`language {locale}`" for locale in available_locales())
    if not code:
        current = normalize_locale(person.locale)
        return compose.info(copy, "language.current", language=copy(f"language.names.{current}"), choices=choices)
    wanted = code.lower().replace("_", "-").split("-")[0]
    if wanted not in available_locales():
        return compose.info(copy, "language.unknown", code=code, choices=choices)
    person.locale, person.locale_overridden = wanted, True
    session.add(person)
    words = load_copy(wanted)
    return compose.info(words, "language.done", language=words(f"language.names.{wanted}"))
