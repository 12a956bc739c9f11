"""The share: a form, a preview, then the post in the team's channel that invites replies."""
from __future__ import annotations

import logging
from dataclasses import replace

from sqlalchemy.orm import object_session
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.coach import check_draft, classify_themes, reframe_with_llm
from bot.engine import compose
from bot.engine.controls import audit
from bot.engine.messages import Form, Message
from bot.engine.nudges import close_nudge, leaders_nudge
from bot.engine.port import DeliveryError
from bot.engine.progress import local_week
from bot.engine.services import Services
from storage.db import after_commit
from storage.repositories.people import team_by_channel, teams_led_by
from storage.tables import Nudge, Person, Share, Team

log = logging.getLogger(__name__)
MAX_FIELD = 1500


async def share_form_for(
    services: Services, session: AsyncSession, person: Person, context: str = "", values: dict[str, str] | None = None
) -> Form:
    assert person.id is not None
    teams = await teams_led_by(session, person.id)
    if values is None and teams:
        values = {"channel": teams[0].channel_id}
    return compose.share_form(services.copy, teams, values, context=context)


def validate(services: Services, values: dict[str, str], teams: list[Team]) -> dict[str, str]:
    """Errors by field name; empty when the share can be previewed."""
    errors: dict[str, str] = {}
    for name in compose.SHARE_FIELDS:
        text = values.get(name, "").strip()
        if not text:
            errors[name] = services.copy(f"share.form.{name}.empty")
        elif len(text) > MAX_FIELD:
            errors[name] = services.copy("share.form.too_long", limit=MAX_FIELD)
    channel = values.get("channel", "").strip()
    if not channel:
        errors["channel"] = services.copy("share.form.channel.empty")
    elif teams and channel not in {t.channel_id for t in teams}:
        errors["channel"] = services.copy("share.form.channel.not_yours")
    return errors


async def submit_share(
    services: Services, session: AsyncSession, person: Person, values: dict[str, str], context: str
) -> Form | None:
    """Validates the form; on success saves a draft and DMs a preview. Returns the form with errors."""
    assert person.id is not None
    teams = await teams_led_by(session, person.id)
    clean = {k: v.strip() for k, v in values.items() if isinstance(v, str)}
    errors = validate(services, clean, teams)
    if errors:
        return compose.share_form(services.copy, teams, clean, errors, context)
    share = await draft_from_context(session, person, context)
    share.try_text, share.why_text = clean["try"], clean["why"]
    share.barrier_text, share.ask_text = clean["barrier"], clean["ask"]
    share.channel_id = clean["channel"]
    team = next((t for t in teams if t.channel_id == share.channel_id), None)
    share.team_id = team.id if team else None
    await send_preview(services, session, person, share, team)
    return None


async def send_preview(services: Services, session: AsyncSession, person: Person, share: Share,
                       team: Team | None, intro_key: str | None = None) -> None:
    """Saves the draft, tags its barrier, and DMs the preview with the coach's notes."""
    share.barrier_themes = classify_themes(share.barrier_text)
    session.add(share)
    await session.flush()
    check = check_draft(" ".join(share_fields(share).values()))
    notes = [coach_note(f.text, f.why) for f in check.findings if f.kind != "missing_barrier"]
    message = compose.preview_message(services.copy, share, channel_label(team, share.channel_id), notes,
                                      offer_reframe=check.directive)
    if intro_key:
        message = replace(message, text=services.copy(intro_key) + "\n" + message.text)
    platform = services.platform(person.workspace_id)
    after_commit(session, lambda: platform.send_dm(person.workspace_id, person.platform_user_id, message))


def coach_note(span: str, why: str) -> str:
    return f"“{span}”: {why}" if span else why


def share_fields(share: Share) -> dict[str, str]:
    return {"try": share.try_text, "why": share.why_text, "barrier": share.barrier_text, "ask": share.ask_text}


async def reframe_share(services: Services, session: AsyncSession, person: Person, value: str) -> bool:
    """One click: the draft rewritten as modelling (by the language model when configured and the
    person has not opted out, else by the rules), then a fresh preview."""
    share = await leaders_draft(session, person, value)
    if share is None:
        await dm(services, person, "share.nothing_to_post")
        return False
    fields, _source = await reframe_with_llm(share_fields(share), services.llm_url, services.llm_model,
                                             opted_out=person.opted_out)
    share.try_text, share.why_text = fields["try"], fields["why"]
    share.barrier_text, share.ask_text = fields["barrier"], fields["ask"]
    team = await team_by_channel(session, person.workspace_id, share.channel_id or "")
    await send_preview(services, session, person, share, team, intro_key="share.preview.reframed")
    return True


async def leaders_draft(session: AsyncSession, person: Person, value: str) -> Share | None:
    share = await session.get(Share, int(value)) if value.isdigit() else None
    if share is None or share.leader_id != person.id or share.status != "draft":
        return None
    return share


async def draft_from_context(session: AsyncSession, person: Person, context: str) -> Share:
    """The context is `share:<id>` when editing a draft, `nudge:<id>` when answering a nudge."""
    assert person.id is not None
    kind, _, ident = context.partition(":")
    if kind == "share" and ident.isdigit():
        share = await session.get(Share, int(ident))
        if share is not None and share.leader_id == person.id and share.status == "draft":
            return share
    nudge = await leaders_nudge(session, person, ident) if kind == "nudge" else None
    return Share(workspace_id=person.workspace_id, leader_id=person.id, nudge_id=nudge.id if nudge else None)


def channel_label(team: Team | None, channel_id: str | None) -> str:
    return f"#{team.channel_name or team.name}" if team else f"<#{channel_id}>"


async def post_share(services: Services, session: AsyncSession, person: Person, value: str) -> bool:
    """Posts a previewed draft to its channel, once. Returns False when there was nothing to post."""
    share = await leaders_draft(session, person, value)
    if share is None or not share.channel_id:
        await dm(services, person, "share.nothing_to_post")
        return False
    platform = services.platform(person.workspace_id)
    team = await team_by_channel(session, person.workspace_id, share.channel_id)
    try:
        sent = await platform.post(person.workspace_id, share.channel_id,
                                   compose.share_post_message(services.copy, share, person))
    except DeliveryError as exc:
        log.warning("share %s not posted: %s", share.id, exc.reason)
        key = "share.channel_unreachable" if exc.scope == "channel" else "share.post_failed"
        await dm(services, person, key, channel=channel_label(team, share.channel_id))
        return False
    now = services.clock.now()
    share.status, share.posted_at, share.week = "posted", now, local_week(person, now)
    share.platform_message_id = sent.message_id
    if team is None:
        team = Team(workspace_id=person.workspace_id, name=share.channel_id, leader_id=person.id,
                    channel_id=share.channel_id)
        session.add(team)
        await session.flush()
    share.team_id = team.id
    session.add(share)
    audit(session, person, "share.posted", share=share.id, channel=share.channel_id)
    await session.commit()  # the thread exists now: replies to it must find the share at once
    if share.nudge_id:
        nudge = await session.get(Nudge, share.nudge_id)
        if nudge is not None:
            await close_nudge(services, nudge, "shared", "nudge.shared")
            session.add(nudge)
    await dm(services, person, "share.posted", channel=channel_label(team, share.channel_id))
    return True


async def dm(services: Services, person: Person, key: str, **values: object) -> None:
    """A short DM to the person, sent once whatever the flow stored is committed."""
    await dm_text(services, person, services.copy(key, **values))


async def dm_text(services: Services, person: Person, text: str) -> None:
    message = Message(kind="info", text=text)
    platform = services.platform(person.workspace_id)
    session = object_session(person)
    if session is None:
        await platform.send_dm(person.workspace_id, person.platform_user_id, message)
    else:
        after_commit(session, lambda: platform.send_dm(person.workspace_id, person.platform_user_id, message))


async def edit_share(services: Services, session: AsyncSession, person: Person, value: str, trigger: str | None) -> None:
    share = await leaders_draft(session, person, value)
    if share is None:
        await dm(services, person, "share.nothing_to_post")
        return
    values = {**share_fields(share), "channel": share.channel_id or ""}
    form = await share_form_for(services, session, person, f"share:{share.id}", values)
    await services.platform(person.workspace_id).open_form(person.workspace_id, person.platform_user_id, form, trigger)

