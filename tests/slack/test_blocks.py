"""Block Kit rendering: what a person sees, and Slack's limits respected so a long share never fails."""
from __future__ import annotations

from adapters.slack import blocks
from bot.copy import load_copy
from bot.core.messages import Action, Fact, Form, FormField, HomeSection, HomeView, Message

WORDING = load_copy("en", "slack")


def test_user_text_is_escaped_but_mentions_survive() -> None:
    assert blocks.escape("a <b> & c <#C0TEAM> <@U0SAM> <!channel>") == \
        "a &lt;b&gt; &amp; c <#C0TEAM> <@U0SAM> &lt;!channel&gt;"  # typed text never pings everyone
    assert "&lt;!here&gt;" in blocks.fallback_text(Message(text="<!here> look"))


def test_a_message_with_many_facts_stays_within_fifty_blocks() -> None:
    facts = tuple(Fact(f"Person {n}", "x" * 5000) for n in range(80))
    actions = tuple(Action("digest.answer", f"Answer person {n}", str(n)) for n in range(5))
    rendered = blocks.message_blocks(Message(text="t", title="T" * 400, facts=facts, actions=actions,
                                             context="c", kind="digest"), WORDING)
    assert len(rendered) <= blocks.MAX_BLOCKS
    assert len(rendered[0]["text"]["text"]) <= blocks.MAX_HEADER
    assert all(len(b["text"]["text"]) <= blocks.MAX_TEXT for b in rendered if b["type"] == "section")
    assert "more" in str(rendered)  # the person is told some replies are not shown
    # the same action id twice in one actions block is rejected by Slack: each gets its own row
    rows = [b for b in rendered if b["type"] == "actions"]
    assert all(len({e["action_id"] for e in r["elements"]}) == len(r["elements"]) for r in rows)


def test_the_share_modal_with_coach_notes_and_a_channel_picker() -> None:
    form = Form("share", "A title far longer than Slack's modal title allows",
                (FormField("try", "What I'd like us to try", "draft", placeholder="p", hint="h"),
                 FormField("channel", "Team channel", "", multiline=False)),
                "Preview", context="nudge:7", intro="intro",
                notes=("This reads like an instruction.",), extra_actions=(Action("share.reframe", "Reframe it"),))
    view = blocks.form_view(form, WORDING)
    assert view["callback_id"] == "share" and view["private_metadata"] == "nudge:7"
    assert len(view["title"]["text"]) <= 24 and view["close"]["text"] == "Cancel"
    kinds = [b["type"] for b in view["blocks"]]
    assert kinds == ["section", "context", "actions", "input", "input"]  # notes before the fields
    text_input, picker = view["blocks"][3]["element"], view["blocks"][4]["element"]
    assert text_input["type"] == "plain_text_input" and text_input["initial_value"] == "draft"
    assert picker["type"] == "conversations_select"  # no team yet: any channel


def test_submitted_values_read_every_element_kind() -> None:
    view = {"state": {"values": {
        "try": {"value": {"type": "plain_text_input", "value": "x"}},
        "channel": {"value": {"type": "static_select", "selected_option": {"value": "C1"}}},
        "other": {"value": {"type": "conversations_select", "selected_conversation": "C2"}},
        "empty": {"value": {"type": "plain_text_input", "value": None}}}}}
    assert blocks.submitted_values(view) == {"try": "x", "channel": "C1", "other": "C2", "empty": ""}
    assert blocks.submitted_values({}) == {}


def test_the_app_home() -> None:
    home = blocks.home_view(HomeView("GoFirst for Alex", (
        HomeSection("Streak", ("2 weeks",), (Action("home.share", "Go first now", style="primary"),)),
        HomeSection("Campaigns", ("Going first: active",)))))
    assert home["type"] == "home"
    assert [b["type"] for b in home["blocks"]] == ["header", "divider", "section", "actions", "divider", "section"]
    assert home["blocks"][3]["elements"][0]["style"] == "primary"
