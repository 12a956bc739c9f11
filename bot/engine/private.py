"""A teammate names a barrier without their name. The note is stored with no author (private_note);
that they told this share's leader is stored apart (private_note_sender), once per teammate and
share, so a double submit keeps one note and the digest can count who answered. The leader sees
notes only once at least three teammates have answered the share (bot/delivery/digests.py)."""
from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.coach import classify_themes
from bot.core import compose
from bot.core.messages import Form
from bot.core.services import Services
from bot.engine import effects
from storage.tables import Person, Share
from storage.tables.loop import PrivateNote, PrivateNoteSender

MAX_NOTE = 1500


async def share_and_leader(session: AsyncSession, value: str) -> tuple[Share, Person] | None:
    share = await session.get(Share, int(value)) if value.isdigit() else None
    leader = await session.get(Person, share.leader_id) if share else None
    if share is None or leader is None or share.status != "posted":
        return None
    return share, leader


async def open_private_form(services: Services, session: AsyncSession, person: Person, value: str,
                            trigger: str | None) -> None:
    found = await share_and_leader(session, value)
    if found is None:
        effects.dm(services, session, person, "private.not_found")
        return
    share, leader = found
    if leader.id == person.id:
        effects.dm(services, session, person, "private.own_post")
    elif await session.get(PrivateNoteSender, (share.id, person.id)) is not None:
        effects.dm(services, session, person, "private.already", leader=leader.display_name)
    else:
        effects.open_form(services, session, person, compose.private_form(services.copy, share, leader.display_name),
                          trigger)


async def submit_private(services: Services, session: AsyncSession, person: Person, values: dict[str, str],
                         context: str) -> Form | None:
    found = await share_and_leader(session, context)
    if found is None:
        effects.dm(services, session, person, "private.not_found")
        return None
    share, leader = found
    assert share.id is not None and person.id is not None
    text = values.get("barrier", "").strip()
    if not text or len(text) > MAX_NOTE or leader.id == person.id:
        form = compose.private_form(services.copy, share, leader.display_name)
        error = ("private.form.empty" if not text else "private.own_post" if leader.id == person.id
                 else "share.form.too_long")
        return compose.with_errors(form, {"barrier": services.copy(error, limit=MAX_NOTE)})
    try:
        async with session.begin_nested():
            session.add(PrivateNoteSender(share_id=share.id, person_id=person.id))
    except IntegrityError:  # told already, or the same form raced in twice: one note stands
        effects.dm(services, session, person, "private.already", leader=leader.display_name)
        return None
    session.add(PrivateNote(id=uuid.uuid4().hex, workspace_id=share.workspace_id, share_id=share.id, text=text,
                            themes=[] if person.analysis_opted_out else classify_themes(text),
                            told_on=services.clock.now().date()))
    effects.dm(services, session, person, "private.done", leader=leader.display_name)
    return None
