"""Block Kit renderers: the engine's neutral Message, Form and HomeView as Slack messages, modals
and the App Home. Pure functions; Slack's size limits are applied here so a long share never
makes a send fail."""
from __future__ import annotations

import re
from typing import Any

from bot.copy import Copy, load_copy
from bot.core.messages import Action, Form, FormField, HomeView, Message

Block = dict[str, Any]
MAX_BLOCKS = 50          # per message or view
MAX_TEXT = 3000          # section text
MAX_HEADER = 150         # header block
MAX_BUTTON = 75          # button label
MAX_MODAL_TITLE = 24     # modal title, submit and close labels
MAX_OPTIONS = 100        # static_select options
BUTTONS_PER_ROW = 5
MAX_USERNAME = 80        # chat.postMessage username
SENDER_ICON = ":speech_balloon:"
# Channel and user mentions must survive escaping (the engine writes <#C123> for a channel it has no
# name for). Broadcasts (<!channel>, <!here>) are escaped: text typed in a form never pings everyone.
_KEEP = re.compile(r"<[#@][A-Z0-9]+(?:\|[^<>]*)?>")


def escape(text: str) -> str:
    """Escapes &, < and > as Slack asks, keeping channel and user mentions intact."""
    parts, last = [], 0
    for match in _KEEP.finditer(text):
        parts.append(_escape_plain(text[last:match.start()]))
        parts.append(match.group(0))
        last = match.end()
    parts.append(_escape_plain(text[last:]))
    return "".join(parts)


def _escape_plain(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plain(text: str, limit: int = MAX_TEXT) -> dict[str, Any]:
    return {"type": "plain_text", "text": cut(text, limit) or " ", "emoji": True}


def mrkdwn(text: str, limit: int = MAX_TEXT) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": cut(escape(text), limit) or " "}


def button(action: Action) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "button", "action_id": action.action_id,
                               "text": plain(action.label, MAX_BUTTON)}
    if action.value:
        element["value"] = cut(action.value, 2000)
    if action.style in ("primary", "danger"):
        element["style"] = action.style
    return element


def action_rows(actions: tuple[Action, ...], block_prefix: str = "actions") -> list[Block]:
    """Buttons in rows of five; action ids must be unique within a block, so duplicates get their own."""
    rows: list[list[Action]] = []
    for action in actions:
        row = rows[-1] if rows else None
        if row is None or len(row) >= BUTTONS_PER_ROW or any(a.action_id == action.action_id for a in row):
            rows.append([action])
        else:
            row.append(action)
    return [{"type": "actions", "block_id": f"{block_prefix}-{n}", "elements": [button(a) for a in row]}
            for n, row in enumerate(rows)]


def sender_identity(message: Message) -> dict[str, Any]:
    """chat.postMessage's `username` and `icon_emoji` for a post that speaks for a person (a share
    in the leader's words carries their name, "Alex Rivera via GoFirst"; needs chat:write.customize)."""
    if not message.sender:
        return {}
    return {"username": cut(load_copy("en")("share.post.via", name=message.sender), MAX_USERNAME),
            "icon_emoji": SENDER_ICON}


def fallback_text(message: Message) -> str:
    """The notification and screen-reader text: title and text, plain."""
    return cut(escape(" — ".join(part for part in (message.title, message.text) if part)), MAX_TEXT)


def message_blocks(message: Message, wording: Copy) -> list[Block]:
    blocks: list[Block] = []
    if message.title:
        blocks.append({"type": "header", "text": plain(message.title, MAX_HEADER)})
    if message.text:
        blocks.append({"type": "section", "text": mrkdwn(message.text)})
    room = max(0, MAX_BLOCKS - len(blocks) - 1 - len(action_rows(message.actions)) - 1)
    facts = message.facts
    for fact in facts[:room]:
        blocks.append({"type": "section", "text": mrkdwn(f"*{fact.label}*\n{fact.value}")})
    if len(facts) > room:
        blocks.append({"type": "context", "elements": [mrkdwn(wording("errors.truncated", count=len(facts) - room))]})
    blocks.extend(action_rows(message.actions))
    if message.context:
        blocks.append({"type": "context", "elements": [mrkdwn(message.context)]})
    return blocks[:MAX_BLOCKS]


def field_element(field: FormField, wording: Copy) -> dict[str, Any]:
    if field.options:
        options = [{"text": plain(label, 75), "value": cut(value, 150)} for value, label in field.options[:MAX_OPTIONS]]
        element: dict[str, Any] = {"type": "static_select", "action_id": "value", "options": options,
                                   "placeholder": plain(field.placeholder or wording("modal.choose_channel"), 150)}
        chosen = next((o for o in options if o["value"] == field.value), None)
        if chosen is not None:
            element["initial_option"] = chosen
        return element
    if field.name == "channel":
        # No team yet: any channel the person can see, where the bot will be asked to post.
        element = {"type": "conversations_select", "action_id": "value",
                   "placeholder": plain(wording("modal.choose_channel"), 150),
                   "filter": {"include": ["public", "private"], "exclude_bot_users": True,
                              "exclude_external_shared_channels": True}}
        if field.value:
            element["initial_conversation"] = field.value
        return element
    element = {"type": "plain_text_input", "action_id": "value", "multiline": field.multiline}
    if field.value:
        element["initial_value"] = cut(field.value, 3000)
    if field.placeholder:
        element["placeholder"] = plain(field.placeholder, 150)
    return element


def form_view(form: Form, wording: Copy) -> dict[str, Any]:
    """A modal: `callback_id` is the form id and `private_metadata` carries the form's context.
    Slack's own words on it (Cancel, the channel picker) are in the form's language."""
    wording = wording if wording.locale == form.locale else load_copy(form.locale, "slack")
    blocks: list[Block] = []
    if form.intro:
        blocks.append({"type": "section", "text": mrkdwn(form.intro)})
    for note in form.notes:  # the coach's findings, shown before posting
        blocks.append({"type": "context", "elements": [mrkdwn(note)]})
    if form.extra_actions:
        blocks.extend(action_rows(form.extra_actions, "form-actions"))
    for field in form.fields:
        block: Block = {"type": "input", "block_id": field.name, "label": plain(field.label, 2000),
                        "element": field_element(field, wording), "optional": not field.required}
        if field.hint:
            block["hint"] = plain(field.hint, 2000)
        blocks.append(block)
        if field.notes:  # the coach's findings on this field, right under it
            blocks.append({"type": "context", "block_id": f"{field.name}-coach",
                           "elements": [mrkdwn(f"• {note}") for note in field.notes[:10]]})
    return {"type": "modal", "callback_id": form.form_id, "private_metadata": cut(form.context, 3000),
            "title": plain(form.title, MAX_MODAL_TITLE), "submit": plain(form.submit_label, MAX_MODAL_TITLE),
            "close": plain(wording("modal.close"), MAX_MODAL_TITLE), "blocks": blocks[:100]}


def form_errors(form: Form) -> dict[str, str]:
    """What `response_action: errors` needs: the block id (the field name) → its message."""
    return {f.name: cut(f.error, 2000) for f in form.fields if f.error}


def submitted_values(view: dict[str, Any]) -> dict[str, str]:
    """Reads a submitted modal back into field name → text, whatever the element type."""
    values: dict[str, str] = {}
    for block_id, elements in (view.get("state", {}).get("values") or {}).items():
        for element in elements.values():
            if not isinstance(element, dict):
                continue
            kind = element.get("type")
            if kind == "static_select":
                value = (element.get("selected_option") or {}).get("value")
            elif kind == "conversations_select":
                value = element.get("selected_conversation")
            elif kind == "channels_select":
                value = element.get("selected_channel")
            else:
                value = element.get("value")
            values[block_id] = value if isinstance(value, str) else ""
    return values


def home_view(view: HomeView) -> dict[str, Any]:
    blocks: list[Block] = [{"type": "header", "text": plain(view.title, MAX_HEADER)}]
    for n, section in enumerate(view.sections):
        blocks.append({"type": "divider"})
        lines = "\n".join(section.lines)
        blocks.append({"type": "section", "text": mrkdwn(f"*{section.title}*" + (f"\n{lines}" if lines else ""))})
        blocks.extend(action_rows(section.actions, f"home-{n}"))
    return {"type": "home", "blocks": blocks[:100]}
