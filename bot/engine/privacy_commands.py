"""A person's say over their own data, from a DM: `analysis off|on` (replies still reach the leader,
never tagged or counted), `export` (everything held about them) and `erase` (after a confirming
click). The adapters' records are reached through the hooks the wiring put on `Services`."""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.coach import classify_themes
from bot.core.messages import Action, Fact, Message, Sent
from bot.core.services import Services
from bot.core.vocabulary import ActionId
from bot.delivery.digests import without_author
from bot.engine import effects
from bot.engine.controls import audit
from bot.privacy import TableHook, erase_person, export_person
from storage.tables import Person, Reply
from storage.tables.loop import PrivateNoteSender, StreakRecord

MAX_PART = 2500
# The loop's own records about a person, for export and erase wherever they are asked for. What a
# note said is not among them: nothing links a note to its writer.
LOOP_HOOKS = (TableHook("streak_record", StreakRecord, lambda p: (col(StreakRecord.person_id) == p.id,)),
              TableHook("told_privately", PrivateNoteSender, lambda p: (col(PrivateNoteSender.person_id) == p.id,)))


async def set_analysis(services: Services, session: AsyncSession, person: Person, argument: str) -> Message:
    choice = argument.strip().lower()
    if choice not in ("off", "on"):
        return Message(kind="info", text=services.copy("analysis.usage"))
    opted_out = choice == "off"
    if person.analysis_opted_out == opted_out:
        return Message(kind="info", text=services.copy(f"analysis.already_{choice}"))
    person.analysis_opted_out = opted_out
    session.add(person)
    audit(session, person, f"analysis_{choice}")
    if opted_out:  # what they said before is no longer counted either
        await session.exec(update(Reply).where(col(Reply.author_id) == person.id).values(themes=[]))
    else:
        for reply in (await session.exec(select(Reply).where(Reply.author_id == person.id))).all():
            reply.themes = [] if reply.is_leader else classify_themes(reply.text)
            session.add(reply)
    return Message(kind="info", text=services.copy(f"analysis.{choice}"))


def part(records: list[dict[str, Any]]) -> str:
    text = json.dumps(records, ensure_ascii=False, default=str)
    return text if len(text) <= MAX_PART else text[:MAX_PART - 1] + "…"


async def export_message(services: Services, session: AsyncSession, person: Person) -> Message:
    data = await export_person(session, person.workspace_id, person.platform_user_id, services.privacy_hooks)
    copy = services.copy
    facts = [Fact(f"{name}: {copy.count('privacy.export.count', len(rows) if isinstance(rows, list) else 1)}",
                  part(rows if isinstance(rows, list) else [rows]))
             for name, rows in data.items() if rows]
    return Message(kind="export", title=copy("privacy.export.title"), text=copy("privacy.export.intro"),
                   facts=tuple(facts))


def erase_offer(services: Services) -> Message:
    return Message(kind="erase", text=services.copy("privacy.erase.confirm"),
                   actions=(Action(ActionId.PRIVACY_ERASE, services.copy("privacy.erase.button"), "confirm",
                                   "danger"),))


async def erase_me(services: Services, session: AsyncSession, person: Person, settle: Sent | None) -> None:
    """Deletes everything about the person; digests that showed their replies are rewritten without them."""
    rewrites = await without_author(services, session, person)
    counts = await erase_person(session, person.workspace_id, person.platform_user_id, services.privacy_hooks)
    for workspace_id, sent, message in rewrites:
        effects.rewrite(services, session, workspace_id, sent, message, "a digest with erased replies")
    if settle is not None:
        effects.rewrite(services, session, person.workspace_id, settle,
                        Message(kind="info", text=services.copy("privacy.erase.settled")), "the erase offer")
    effects.say(services, session, person,
                Message(kind="erased", text=services.copy("privacy.erase.done", count=sum(counts.values()))))
