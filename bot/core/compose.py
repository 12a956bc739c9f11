"""Builders for every neutral message and form: pure functions from records and copy to the model."""
from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from bot.copy import Copy
from bot.core.messages import Action, Chart, Fact, Form, FormField, HomeSection, HomeView, Message
from bot.core.streaks import Streak
from bot.core.vocabulary import COMMANDS, ActionId

if TYPE_CHECKING:
    from bot.coach.packs import PackNudge
    from storage.tables import Person, Reply, Share, Team

SHARE_FIELDS = ("try", "why", "barrier", "ask")
SHARE_FORM = "share"
ANSWER_FORM = "answer"
PRIVATE_FORM = "private"
ENDINGS = (".", "!", "?", "…", ":", ";", ")", '"', "”")
SEEN = "#seen:"  # a form's context suffix: the coach's findings were shown for these words


@dataclass(frozen=True)
class LastWeek:
    """What the leader tried last time and the prompt's follow-up: it opens the next nudge."""

    tried: str
    follow_up: str


def nudge_message(copy: Copy, prompt: "PackNudge", nudge_id: int, last: LastWeek | None = None) -> Message:
    value = str(nudge_id)
    opener = copy("nudge.last_week", tried=last.tried, follow_up=last.follow_up) + "\n" if last else ""
    return Message(
        kind="nudge",
        title=copy("nudge.title"),
        text=opener + prompt.text,
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
    title_key: str = "share.form.title",
    field_notes: Mapping[str, Sequence[str]] | None = None,
    submit_key: str = "share.form.submit",
) -> Form:
    values, errors, field_notes = values or {}, errors or {}, field_notes or {}
    fields = [
        FormField(name, copy(f"share.form.{name}.label"), values.get(name, ""),
                  placeholder=copy(f"share.form.{name}.placeholder"), hint=copy(f"share.form.{name}.hint"),
                  error=errors.get(name), notes=tuple(field_notes.get(name, ())))
        for name in SHARE_FIELDS
    ]
    options = tuple((t.channel_id, t.channel_name or t.name) for t in teams)
    fields.append(FormField("channel", copy("share.form.channel.label"), values.get("channel", ""),
                            multiline=False, options=options, error=errors.get("channel"),
                            hint=copy("share.form.channel.hint")))
    return Form(SHARE_FORM, copy(title_key), tuple(fields), copy(submit_key),
                context=context, intro=copy("share.form.intro"), notes=notes, locale=copy.locale)


def with_errors(form: Form, errors: dict[str, str]) -> Form:
    return replace(form, fields=tuple(replace(f, error=errors.get(f.name)) for f in form.fields))


def words_mark(values: Mapping[str, str]) -> str:
    """A short fingerprint of what the person wrote: the same words sent again mean "as it is"."""
    joined = "\x1f".join(f"{name}={values[name]}" for name in sorted(values))
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:16]


def seen_context(context: str, values: Mapping[str, str]) -> str:
    """The form's context, marked as having shown the coach's findings for these words."""
    return f"{context}{SEEN}{words_mark(values)}"


def split_seen(context: str) -> tuple[str, str]:
    """(the form's own context, the fingerprint of the words the findings were shown for, or "")."""
    base, _, mark = context.partition(SEEN)
    return base, mark


def sentence(text: str) -> str:
    """The leader's words as they wrote them, ending like a sentence."""
    text = " ".join(text.split())
    return text if not text or text.endswith(ENDINGS) else text + "."


def share_prose(share: "Share") -> str:
    """The four answers as one short note in the leader's own words: no labels, no form."""
    parts = (share.try_text, share.why_text, share.barrier_text, share.ask_text)
    return "\n".join(sentence(p) for p in parts if p.strip())


def preview_message(
    copy: Copy, share: "Share", channel_label: str, notes: Sequence[str] = (), offer_reframe: bool = False
) -> Message:
    """The draft as the team will see it, with the coach's notes and, for a directive draft, a
    one-click modelling rewrite."""
    value = str(share.id)
    text = copy("share.preview.text") + "\n" + share_prose(share)
    if notes:
        text += "\n" + copy("share.preview.coach_intro") + "\n" + "\n".join(f"• {note}" for note in notes)
    reframe = (Action(ActionId.SHARE_REFRAME, copy("share.preview.reframe"), value, "primary"),) if offer_reframe else ()
    post_style = "default" if offer_reframe else "primary"
    return Message(
        kind="preview",
        title=copy("share.preview.title", channel=channel_label),
        text=text,
        actions=(*reframe, Action(ActionId.SHARE_POST, copy("share.preview.post", channel=channel_label), value, post_style),
                 Action(ActionId.SHARE_EDIT, copy("share.preview.edit"), value)),
    )


def share_post_message(copy: Copy, share: "Share", leader: "Person") -> Message:
    """The share in the team's channel: the leader's note, one line on what happens to a reply,
    and a way to name a barrier without a name."""
    name = leader.display_name or leader.platform_user_id
    return Message(kind="share_post", title=copy("share.post.title", leader=name), text=share_prose(share),
                   context=copy("share.post.invite") + " " + copy("share.post.what_happens", leader=name),
                   actions=(Action(ActionId.SHARE_TELL, copy("share.post.tell", leader=name), str(share.id)),),
                   sender=name)


def withdrawn_post_message(copy: Copy, leader: "Person") -> Message:
    return Message(kind="share_post", text=copy("share.withdrawn.post", leader=leader.display_name),
                   sender=leader.display_name)


def posted_message(copy: Copy, share: "Share", channel_label: str) -> Message:
    """The leader's confirmation, with what they can still do about the post."""
    value = str(share.id)
    return Message(kind="posted", text=copy("share.posted", channel=channel_label),
                   actions=(Action(ActionId.SHARE_REVISE, copy("share.revise"), value),
                            Action(ActionId.SHARE_WITHDRAW, copy("share.withdraw"), value, "danger")))


def digest_message(copy: Copy, share: "Share", replies: Sequence[tuple["Reply", str]], notes: Sequence[str] = (),
                   earlier: int = 0, follow_up: str | None = None, raisable: Sequence[tuple[str, str]] = (),
                   hr_lines: Sequence[str] = ()) -> Message:
    """New replies with their authors and an Answer button each; notes told privately (shown only
    once enough teammates answered) as "Someone said"; a "Raise this with HR" button per system
    barrier theme (theme, label) named; what HR did about barriers the team named; the prompt's
    follow-up closes it."""
    facts = tuple(Fact(name, reply.text) for reply, name in replies)
    facts += tuple(Fact(copy("digest.someone_said"), note) for note in notes)
    facts += tuple(Fact(copy("hr_acted.label"), line) for line in hr_lines)
    actions = tuple(Action(ActionId.DIGEST_ANSWER, copy("digest.answer", name=name), str(reply.id))
                    for reply, name in replies[:10])
    actions += tuple(Action(ActionId.DIGEST_RAISE, copy("raise.button", theme=label), f"{share.id}:{theme}")
                     for theme, label in raisable)
    count = len(replies) + len(notes)
    text = copy.count("digest.intro", count, barrier=share.barrier_text)
    if earlier:
        text += " " + copy.count("digest.earlier", earlier)
    closing = [copy("digest.follow_up", follow_up=follow_up)] if follow_up else []
    closing.append(copy("digest.close_the_loop"))
    return Message(kind="digest", title=copy("digest.title"), text=text, facts=facts, actions=actions,
                   context=" ".join(closing))


def quiet_note(copy: Copy, share: "Share", follow_up: str | None) -> Message:
    """No replies after two working days: gently, with one concrete next step."""
    text = copy("digest.quiet.text", tried=sentence(share.try_text))
    return Message(kind="digest", title=copy("digest.quiet.title"), text=text,
                   facts=(Fact(copy("digest.quiet.next_step"), copy("digest.quiet.step")),),
                   context=copy("digest.follow_up", follow_up=follow_up) if follow_up else None)


def answer_form(copy: Copy, reply: "Reply", author: str, advice: Sequence[str] = (), text: str = "",
                findings: Sequence[str] = (), context: str = "") -> Form:
    """The leader's answer to one reply, with the coach's advice for the barrier it named; coached
    (the answer read as an order), it comes back with the findings under the answer and a way to
    post it as it is."""
    field = FormField("answer", copy("answer.form.label", name=author), text, hint=reply.text,
                      placeholder=copy("answer.form.placeholder"), notes=tuple(findings))
    intro = copy("coaching.answer.coached" if findings else "coaching.answer.advice", name=author)
    submit = copy("coaching.answer.submit" if findings else "answer.form.submit")
    return Form(ANSWER_FORM, copy("answer.form.title"), (field,), submit, context=context or str(reply.id),
                intro=intro if advice else None, notes=tuple(advice), locale=copy.locale)


def private_form(copy: Copy, share: "Share", leader_name: str) -> Form:
    """A teammate names a barrier without their name."""
    field = FormField("barrier", copy("private.form.label", leader=leader_name),
                      placeholder=copy("private.form.placeholder"), hint=copy("private.form.hint"))
    return Form(PRIVATE_FORM, copy("private.form.title", leader=leader_name), (field,), copy("private.form.submit"),
                context=str(share.id), intro=copy("private.form.intro", leader=leader_name), locale=copy.locale)


def streak_message(copy: Copy, streak: Streak) -> Message:
    if streak.current == 0 and streak.longest == 0:
        text = copy("streak.none")
    else:
        text = copy.count("streak.summary", streak.current, longest=streak.longest)
    if streak.waiting_for_answer:
        context = copy("streak.waiting")
    elif streak.this_week_counted:
        context = copy("streak.this_week_done")
    elif streak.in_progress:
        context = copy("streak.in_progress")
    else:
        context = copy("streak.this_week_open")
    return Message(kind="streak", title=copy("streak.title"), text=text, context=context)


def help_message(copy: Copy, unknown: str | None = None) -> Message:
    facts = tuple(Fact(copy(f"commands.{name}.usage"), copy(f"commands.{name}.about")) for name in COMMANDS)
    text = copy("help.unknown", command=unknown) if unknown else copy("help.intro")
    return Message(kind="help", title=copy("help.title"), text=text, facts=facts, context=copy("help.streak_rule"))


def info(copy: Copy, key: str, **values: object) -> Message:
    return Message(kind="info", text=copy(key, **values))


def home_view(copy: Copy, person: "Person", streak: Streak, recent: Sequence["Share"], admin_lines: Sequence[str],
              effect: tuple[Chart, Sequence[str]] | None = None) -> HomeView:
    """The leader's own view: the weeks they went first (with the chart of their effect) first."""
    controls = (
        Action(ActionId.HOME_SNOOZE, copy("home.snooze"), "1w"),
        Action(ActionId.HOME_OPTIN, copy("home.optin")) if person.opted_out else Action(ActionId.HOME_OPTOUT, copy("home.optout"), style="danger"),
    )
    chart, effect_lines = effect if effect else (None, ())
    sections = [
        HomeSection(copy("home.streak_title"), (streak_message(copy, streak).text, *effect_lines),
                    (Action(ActionId.HOME_SHARE, copy("home.share"), style="primary"),), chart=chart),
        HomeSection(copy("home.recent_title"),
                    tuple(copy("home.recent_line", week=s.week or "", text=s.try_text) for s in recent)
                    or (copy("home.recent_none"),)),
        HomeSection(copy("home.controls_title"),
                    (copy("home.opted_out") if person.opted_out else copy("home.opted_in"),), controls),
    ]
    if person.is_admin:
        sections.append(HomeSection(copy("home.admin_title"), tuple(admin_lines) or (copy("home.admin_none"),)))
    return HomeView(copy("home.title", name=person.display_name), tuple(sections))
