"""A posted share stays the leader's: they can edit it or withdraw it, and the post in the channel
follows (rewritten after the commit). Doing either twice changes nothing the second time, and says so."""
from __future__ import annotations

from sqlalchemy import update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.coach import classify_themes
from bot.core import compose
from bot.core.messages import Form, Sent
from bot.core.services import Services
from bot.engine import effects
from bot.engine.controls import audit
from bot.engine.shares import channel_label, coached_share_form, share_fields, submit_share, validate
from storage.repositories.people import team_by_channel
from storage.tables import Person, Share

POSTED = "posted:"


async def leaders_post(session: AsyncSession, person: Person, value: str) -> Share | None:
    share = await session.get(Share, int(value)) if value.isdigit() else None
    if share is None or share.leader_id != person.id or share.status not in ("posted", "withdrawn"):
        return None
    return share


def where(share: Share) -> Sent | None:
    return Sent(share.channel_id, share.platform_message_id) if share.channel_id and share.platform_message_id else None


async def open_revise_form(services: Services, session: AsyncSession, person: Person, value: str,
                           trigger: str | None) -> None:
    share = await leaders_post(session, person, value)
    if share is None or share.status != "posted":
        effects.dm(services, session, person, "share.not_posted")
        return
    team = await team_by_channel(session, person.workspace_id, share.channel_id or "")
    values = {**share_fields(share), "channel": share.channel_id or ""}
    form = compose.share_form(services.copy, [team] if team else [], values,
                              context=f"{POSTED}{share.id}", title_key="share.form.revise_title")
    effects.open_form(services, session, person, form, trigger)


async def submit_share_form(services: Services, session: AsyncSession, person: Person, values: dict[str, str],
                            context: str) -> Form | None:
    """The share form: a new draft's preview, or the new words of a post already in the channel."""
    if not context.startswith(POSTED):
        return await submit_share(services, session, person, values, context)
    context, seen = compose.split_seen(context)
    share = await leaders_post(session, person, context.removeprefix(POSTED))
    if share is None or share.status != "posted":
        effects.dm(services, session, person, "share.not_posted")
        return None
    team = await team_by_channel(session, person.workspace_id, share.channel_id or "")
    clean = {k: v.strip() for k, v in values.items() if isinstance(v, str)} | {"channel": share.channel_id or ""}
    errors = validate(services, clean, [team] if team else [])
    if errors:
        return compose.share_form(services.copy, [team] if team else [], clean, errors, context,
                                  title_key="share.form.revise_title")
    label = channel_label(team, share.channel_id)
    fields = {name: clean[name] for name in compose.SHARE_FIELDS}
    if share_fields(share) == fields:
        effects.dm(services, session, person, "share.revise_unchanged")
        return None
    coached = coached_share_form(services, [team] if team else [], fields, clean["channel"], context, seen,
                                 title_key="share.form.revise_title")
    if coached is not None:
        return coached
    before = share_fields(share)
    changed = await session.exec(  # conditional, so of two identical edits racing in one changes the post
        update(Share).where(col(Share.id) == share.id, col(Share.status) == "posted",
                            *(getattr(Share, f"{n}_text") == before[n] for n in compose.SHARE_FIELDS))
        .values(try_text=fields["try"], why_text=fields["why"], barrier_text=fields["barrier"],
                ask_text=fields["ask"],
                barrier_themes=[] if person.analysis_opted_out else classify_themes(fields["barrier"])))
    if changed.rowcount != 1:
        effects.dm(services, session, person, "share.revise_unchanged")
        return None
    await session.refresh(share)
    audit(session, person, "share.revised", share=share.id)
    post = where(share)
    if post is not None:
        effects.rewrite(services, session, person.workspace_id, post,
                        compose.share_post_message(services.copy, share, person), f"share {share.id}")
    effects.dm(services, session, person, "share.revised", channel=label)
    return None


async def withdraw(services: Services, session: AsyncSession, person: Person, value: str, settle: Sent | None) -> None:
    """The post says the leader took it back; its replies are no longer collected or digested."""
    share = await leaders_post(session, person, value)
    if share is None:
        effects.dm(services, session, person, "share.not_posted")
        return
    team = await team_by_channel(session, person.workspace_id, share.channel_id or "")
    label = channel_label(team, share.channel_id)
    if share.status == "withdrawn":
        effects.dm(services, session, person, "share.withdrawn.already", channel=label)
        return
    taken = await session.exec(update(Share).where(col(Share.id) == share.id, col(Share.status) == "posted")
                               .values(status="withdrawn"))
    if taken.rowcount != 1:  # the same click raced in twice
        effects.dm(services, session, person, "share.withdrawn.already", channel=label)
        return
    await session.refresh(share)
    audit(session, person, "share.withdrawn", share=share.id)
    post = where(share)
    if post is not None:
        effects.rewrite(services, session, person.workspace_id, post,
                        compose.withdrawn_post_message(services.copy, person), f"share {share.id}")
    if settle is not None:
        effects.rewrite(services, session, person.workspace_id, settle,
                        compose.info(services.copy, "share.withdrawn.settled", channel=label), "the confirmation")
    effects.dm(services, session, person, "share.withdrawn.done", channel=label)
