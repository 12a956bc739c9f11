"""The share: a form, a preview with the coach's notes, and the one-click modelling rewrite. Posting
it to the team's channel is posting.py."""
from __future__ import annotations

import uuid
from dataclasses import replace

from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.coach import check_draft, check_fields, classify_themes, reframe_with_llm
from bot.core import compose
from bot.engine import effects
from bot.core.messages import Form, Sent
from bot.engine.nudges import leaders_nudge
from bot.core.services import Services
from storage.db import after_commit
from storage.repositories.people import team_by_channel, teams_led_by
from storage.tables import Person, Share, Team

MAX_FIELD = 1500


async def share_form_for(
    services: Services, session: AsyncSession, person: Person, context: str = "", values: dict[str, str] | None = None
) -> Form:
    """A share form; a new one carries a fresh token, so submitting it twice makes one draft."""
    assert person.id is not None
    teams = await teams_led_by(session, person.id)
    if values is None and teams:
        values = {"channel": teams[0].channel_id}
    return compose.share_form(services.copy, teams, values, context=context or f"new:{uuid.uuid4().hex}")


async def open_share_form(services: Services, session: AsyncSession, person: Person, trigger: str | None,
                          context: str = "", values: dict[str, str] | None = None) -> None:
    form = await share_form_for(services, session, person, context, values)
    effects.open_form(services, session, person, form, trigger)


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
    """Validates the form; a draft that reads as an order first comes back with the coach's findings
    under its fields; on success saves a draft and DMs a preview. Returns the form to show again."""
    assert person.id is not None
    teams = await teams_led_by(session, person.id)
    clean = {k: v.strip() for k, v in values.items() if isinstance(v, str)}
    context, seen = compose.split_seen(context)
    errors = validate(services, clean, teams)
    if errors:
        return compose.share_form(services.copy, teams, clean, errors, context)
    fields = {name: clean[name] for name in compose.SHARE_FIELDS}
    share = await draft_from_context(session, person, context)
    if share.id is not None and share.status != "draft":  # this form already became a post
        effects.dm(services, session, person, "share.form_used", channel=channel_label(None, share.channel_id))
        return None
    if share.id is not None and share_fields(share) == fields and share.channel_id == clean["channel"]:
        effects.dm(services, session, person, "share.preview.already")  # a double submit or a retry
        return None
    coached = coached_share_form(services, teams, fields, clean["channel"], context, seen)
    if coached is not None:
        return coached
    share.try_text, share.why_text, share.barrier_text, share.ask_text = (fields[n] for n in compose.SHARE_FIELDS)
    share.channel_id = clean["channel"]
    team = next((t for t in teams if t.channel_id == share.channel_id), None)
    share.team_id = team.id if team else None
    if share.id is None and not await claimed(session, share):
        effects.dm(services, session, person, "share.preview.already")  # the same form raced in twice
        return None
    await send_preview(services, session, person, share, team)
    return None


def coached_share_form(services: Services, teams: list[Team], fields: dict[str, str], channel: str, context: str,
                       seen: str, title_key: str = "share.form.title") -> Form | None:
    """The form again, each of the coach's findings (at most three, most important first) under the
    field it is about, while the draft reads as an order and these findings were not yet shown for
    these words: sending the same words again goes on as they are."""
    check = check_fields(fields, services.copy.locale)
    if not check.directive or seen == compose.words_mark(fields):
        return None
    notes: dict[str, list[str]] = {}
    for finding in check.findings:
        notes.setdefault(finding.field or "try", []).append(coach_note(finding.text, finding.why))
    return compose.share_form(services.copy, teams, {**fields, "channel": channel},
                              context=compose.seen_context(context, fields),
                              notes=(services.copy("coaching.share.intro"),), title_key=title_key,
                              field_notes=notes, submit_key="coaching.share.submit")


async def claimed(session: AsyncSession, share: Share) -> bool:
    """Stores a new draft under its form's token; False when the same form's draft got there first."""
    try:
        async with session.begin_nested():
            session.add(share)
    except IntegrityError:
        return False
    return True


async def send_preview(services: Services, session: AsyncSession, person: Person, share: Share,
                       team: Team | None, intro_key: str | None = None) -> None:
    """Saves the draft, tags its barrier, and DMs the preview with the coach's notes."""
    share.barrier_themes = ([] if person.analysis_opted_out
                            else classify_themes(share.barrier_text, services.copy.locale))
    session.add(share)
    await session.flush()
    check = check_draft(" ".join(share_fields(share).values()), services.copy.locale)
    notes = [coach_note(f.text, f.why) for f in check.findings if f.kind != "missing_barrier"]
    message = compose.preview_message(services.copy, share, channel_label(team, share.channel_id), notes,
                                      offer_reframe=check.directive)
    if intro_key:
        message = replace(message, text=services.copy(intro_key) + "\n" + message.text)
    effects.say(services, session, person, message)


def coach_note(span: str, why: str) -> str:
    return f"“{span}”: {why}" if span else why


def share_fields(share: Share) -> dict[str, str]:
    return {"try": share.try_text, "why": share.why_text, "barrier": share.barrier_text, "ask": share.ask_text}


async def reframe_share(services: Services, session: AsyncSession, person: Person, value: str,
                        settle: Sent | None) -> None:
    """One click: the draft rewritten as modelling (by the language model when configured and the
    person has not opted out, else by the rules), then a fresh preview. The model is asked after
    this transaction, and the rewrite is stored in a new one: no lock is held while it thinks."""
    share = await leaders_draft(session, person, value)
    if share is None:
        effects.dm(services, session, person, "share.nothing_to_post")
        return
    share_id, person_id, fields = share.id, person.id, share_fields(share)

    async def rewrite_and_preview() -> None:
        rewritten, _source = await reframe_with_llm(fields, services.llm_url, services.llm_model,
                                                    opted_out=person.opted_out, locale=services.copy.locale)
        async with services.db.session() as later:
            draft = await later.get(Share, share_id)
            leader = await later.get(Person, person_id)
            if draft is None or leader is None or draft.status != "draft":
                return
            draft.try_text, draft.why_text = rewritten["try"], rewritten["why"]
            draft.barrier_text, draft.ask_text = rewritten["barrier"], rewritten["ask"]
            team = await team_by_channel(later, leader.workspace_id, draft.channel_id or "")
            await send_preview(services, later, leader, draft, team, intro_key="share.preview.reframed")
            if settle is not None:
                effects.rewrite(services, later, leader.workspace_id, settle,
                                compose.info(services.copy, "share.preview.settled_replaced"), "the old preview")

    after_commit(session, rewrite_and_preview)


async def leaders_draft(session: AsyncSession, person: Person, value: str) -> Share | None:
    share = await session.get(Share, int(value)) if value.isdigit() else None
    if share is None or share.leader_id != person.id or share.status != "draft":
        return None
    return share


async def draft_from_context(session: AsyncSession, person: Person, context: str) -> Share:
    """The context is `share:<id>` when editing a draft, `nudge:<id>` when answering a nudge and
    `new:<token>` for a form opened without one. The last two are the form's token: the draft a
    form made before (a double submit, a retry), else a new draft, not yet stored."""
    assert person.id is not None
    kind, _, ident = context.partition(":")
    if kind == "share" and ident.isdigit():
        share = await session.get(Share, int(ident))
        if share is not None and share.leader_id == person.id and share.status == "draft":
            return share
    nudge = await leaders_nudge(session, person, ident) if kind == "nudge" else None
    token = context[:80] if (kind == "new" and ident) or nudge is not None else None
    if token is not None:
        query = select(Share).where(Share.workspace_id == person.workspace_id, Share.form_token == token,
                                    Share.leader_id == person.id)
        made = (await session.exec(query)).first()
        if made is not None:
            return made
    return Share(workspace_id=person.workspace_id, leader_id=person.id, nudge_id=nudge.id if nudge else None,
                 form_token=token)


def channel_label(team: Team | None, channel_id: str | None) -> str:
    return f"#{team.channel_name or team.name}" if team else f"<#{channel_id}>"


async def edit_share(services: Services, session: AsyncSession, person: Person, value: str, trigger: str | None) -> None:
    share = await leaders_draft(session, person, value)
    if share is None:
        effects.dm(services, session, person, "share.nothing_to_post")
        return
    values = {**share_fields(share), "channel": share.channel_id or ""}
    await open_share_form(services, session, person, trigger, f"share:{share.id}", values)
