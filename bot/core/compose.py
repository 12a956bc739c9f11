"""Builders for every neutral message and form: pure functions from records and copy to the model."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.copy import Copy
from bot.core.messages import Action, Fact, Form, FormField, HomeSection, HomeView, Message
from bot.core.streaks import Streak
from bot.core.vocabulary import COMMANDS, ActionId

if TYPE_CHECKING:
    from bot.coach.packs import PackNudge
    from storage.tables import Person, Reply, Share, Team

SHARE_FIELDS = ("try", "why", "barrier", "ask")
SHARE_FORM = "share"
ANSWER_FORM = "answer"


def nudge_message(copy: Copy, prompt: "PackNudge", nudge_id: int) -> Message:
    value = str(nudge_id)
    return Message(
        kind="nudge",
        title=copy("nudge.title"),
        text=prompt.text,
        facts=(Fact(copy("nudge.action_label"), prompt.action), Fact(copy("nudge.why_label"), prompt.why)),
        actions=(
            Action(ActionId.NUDGE_SHARE, copy("nudge.share_now"), value, "primary"),
            Action(ActionId.NUDGE_SNOOZE, copy("nudge.snooze"), value),
            Action(ActionId.NUDGE_SKIP, copy("nudge.skip"), value),
            Action(ActionId.NUDGE_OPTOUT, copy("nudge.not_for_me"), value, "danger"),
        ),
    )


def nudge_closed_message(copy: Copy, prompt_text: str, outcome_key: str, **values: str) -> Message:
    """The nudge again, its buttons replaced by what the leader chose (no stacking of new messages)."""
    return Message(kind="nudge", title=copy("nudge.title"), text=prompt_text, context=copy(outcome_key, **values))


def share_form(
    copy: Copy,
    teams: Sequence["Team"],
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    context: str = "",
    notes: tuple[str, ...] = (),
) -> Form:
    values, errors = values or {}, errors or {}
    fields = [
        FormField(name, copy(f"share.form.{name}.label"), values.get(name, ""),
                  placeholder=copy(f"share.form.{name}.placeholder"), hint=copy(f"share.form.{name}.hint"),
                  error=errors.get(name))
        for name in SHARE_FIELDS
    ]
    options = tuple((t.channel_id, t.channel_name or t.name) for t in teams)
    fields.append(FormField("channel", copy("share.form.channel.label"), values.get("channel", ""),
                            multiline=False, options=options, error=errors.get("channel"),
                            hint=copy("share.form.channel.hint")))
    return Form(SHARE_FORM, copy("share.form.title"), tuple(fields), copy("share.form.submit"),
                context=context, intro=copy("share.form.intro"), notes=notes)


def with_errors(form: Form, errors: dict[str, str]) -> Form:
    return replace(form, fields=tuple(replace(f, error=errors.get(f.name)) for f in form.fields))


def share_body(copy: Copy, share: "Share") -> tuple[Fact, ...]:
    return (
        Fact(copy("share.post.try"), share.try_text),
        Fact(copy("share.post.why"), share.why_text),
        Fact(copy("share.post.barrier"), share.barrier_text),
        Fact(copy("share.post.ask"), share.ask_text),
    )


def preview_message(
    copy: Copy, share: "Share", channel_label: str, notes: Sequence[str] = (), offer_reframe: bool = False
) -> Message:
    """The draft as the team will see it, with the coach's notes and, for a directive draft, a
    one-click modelling rewrite."""
    value = str(share.id)
    text = copy("share.preview.text")
    if notes:
        text += "\n" + copy("share.preview.coach_intro") + "\n" + "\n".join(f"• {note}" for note in notes)
    reframe = (Action(ActionId.SHARE_REFRAME, copy("share.preview.reframe"), value, "primary"),) if offer_reframe else ()
    post_style = "default" if offer_reframe else "primary"
    return Message(
        kind="preview",
        title=copy("share.preview.title", channel=channel_label),
        text=text,
        facts=share_body(copy, share),
        actions=(*reframe, Action(ActionId.SHARE_POST, copy("share.preview.post", channel=channel_label), value, post_style),
                 Action(ActionId.SHARE_EDIT, copy("share.preview.edit"), value)),
    )


def share_post_message(copy: Copy, share: "Share", leader: "Person") -> Message:
    return Message(kind="share_post", title=copy("share.post.title", leader=leader.display_name),
                   text=copy("share.post.intro"), facts=share_body(copy, share),
                   context=copy("share.post.invite"))


def digest_message(copy: Copy, share: "Share", replies: Sequence[tuple["Reply", str]]) -> Message:
    if not replies:
        return Message(kind="digest", title=copy("digest.title"), text=copy("digest.none"))
    facts = tuple(Fact(name, reply.text) for reply, name in replies)
    actions = tuple(Action(ActionId.DIGEST_ANSWER, copy("digest.answer", name=name), str(reply.id))
                    for reply, name in replies[:5])
    return Message(kind="digest", title=copy("digest.title"),
                   text=copy("digest.intro", count=len(replies), barrier=share.barrier_text),
                   facts=facts, actions=actions, context=copy("digest.close_the_loop"))


def answer_form(copy: Copy, reply: "Reply", author: str) -> Form:
    field = FormField("answer", copy("answer.form.label", name=author), hint=reply.text,
                      placeholder=copy("answer.form.placeholder"))
    return Form(ANSWER_FORM, copy("answer.form.title"), (field,), copy("answer.form.submit"), context=str(reply.id))


def streak_message(copy: Copy, streak: Streak) -> Message:
    if streak.current == 0 and streak.longest == 0:
        text = copy("streak.none")
    else:
        text = copy.count("streak.summary", streak.current, longest=streak.longest)
    if streak.waiting_for_answer:
        context = copy("streak.waiting")
    elif streak.this_week_counted:
        context = copy("streak.this_week_done")
    else:
        context = copy("streak.this_week_open")
    return Message(kind="streak", title=copy("streak.title"), text=text, context=context)


def help_message(copy: Copy, unknown: str | None = None) -> Message:
    facts = tuple(Fact(copy(f"commands.{name}.usage"), copy(f"commands.{name}.about")) for name in COMMANDS)
    text = copy("help.unknown", command=unknown) if unknown else copy("help.intro")
    return Message(kind="help", title=copy("help.title"), text=text, facts=facts)


def info(copy: Copy, key: str, **values: object) -> Message:
    return Message(kind="info", text=copy(key, **values))


def home_view(copy: Copy, person: "Person", streak: Streak, recent: Sequence["Share"], admin_lines: Sequence[str]) -> HomeView:
    controls = (
        Action(ActionId.HOME_SNOOZE, copy("home.snooze"), "1w"),
        Action(ActionId.HOME_OPTIN, copy("home.optin")) if person.opted_out else Action(ActionId.HOME_OPTOUT, copy("home.optout"), style="danger"),
    )
    sections = [
        HomeSection(copy("home.streak_title"), (streak_message(copy, streak).text,),
                    (Action(ActionId.HOME_SHARE, copy("home.share"), style="primary"),)),
        HomeSection(copy("home.recent_title"),
                    tuple(copy("home.recent_line", week=s.week or "", text=s.try_text) for s in recent)
                    or (copy("home.recent_none"),)),
        HomeSection(copy("home.controls_title"),
                    (copy("home.opted_out") if person.opted_out else copy("home.opted_in"),), controls),
    ]
    if person.is_admin:
        sections.append(HomeSection(copy("home.admin_title"), tuple(admin_lines) or (copy("home.admin_none"),)))
    return HomeView(copy("home.title", name=person.display_name), tuple(sections))
