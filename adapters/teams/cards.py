"""Adaptive Cards (schema 1.5) from the engine's neutral messages, forms and home views.

Every button is a classic `Action.Submit`; Teams sends its `data` back as a message `value`, merged
with the card's inputs, so our own keys carry a `gofirst_` prefix that no input id can collide with.
"""
from __future__ import annotations

from typing import Any

from bot.copy import load_copy
from bot.core.messages import Action, Form, FormField, HomeView, Message

CARD_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
STYLES = {"primary": "positive", "danger": "destructive"}
Card = dict[str, Any]


def envelope(body: list[dict[str, Any]], actions: list[dict[str, Any]] | None = None) -> Card:
    card: Card = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION, "body": body,
                  "msteams": {"width": "Full"}}
    if actions:
        card["actions"] = actions
    return card


def attachment(card: Card) -> dict[str, Any]:
    return {"contentType": CARD_TYPE, "content": card}


def text(value: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": value, "wrap": True, **style}


def heading(value: str) -> dict[str, Any]:
    return text(value, size="Medium", weight="Bolder", style="heading")


def action_data(action: Action, card_kind: str) -> dict[str, str]:
    return {"gofirst_kind": "action", "gofirst_action": action.action_id, "gofirst_value": action.value,
            "gofirst_card": card_kind}


def submit(action: Action, card_kind: str) -> dict[str, Any]:
    rendered: dict[str, Any] = {"type": "Action.Submit", "title": action.label,
                                "data": action_data(action, card_kind), "associatedInputs": "none"}
    if action.style in STYLES:
        rendered["style"] = STYLES[action.style]
    return rendered


def facts(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    return {"type": "FactSet", "facts": [{"title": label, "value": value} for label, value in pairs]}


def message_card(message: Message) -> Card:
    """A nudge, preview, channel post, digest, streak, help or plain line, as one card."""
    body: list[dict[str, Any]] = []
    if message.title:
        body.append(heading(message.title))
    if message.text:
        body.append(text(message.text))
    if message.facts:
        if message.kind in ("share_post", "preview", "digest"):
            for fact in message.facts:  # long answers read better as label + paragraph than as a FactSet
                body.append(text(fact.label, weight="Bolder", spacing="Medium"))
                body.append(text(fact.value, spacing="Small"))
        else:
            body.append(facts([(f.label, f.value) for f in message.facts]))
    if message.context:
        body.append(text(message.context, isSubtle=True, size="Small", spacing="Medium"))
    return envelope(body, [submit(a, message.kind) for a in message.actions])


def settled(card: Card, note: str) -> Card:
    """The same card with its buttons gone and a line saying what happened."""
    body = [item for item in card.get("body", []) if item.get("type") != "ActionSet"]
    return envelope([*body, text(note, isSubtle=True, size="Small", spacing="Medium")])


def field_input(field: FormField, locale: str = "en") -> dict[str, Any]:
    common: dict[str, Any] = {"id": field.name, "label": field.label, "isRequired": field.required}
    if field.error or field.required:  # Teams checks required inputs itself and shows this message
        common["errorMessage"] = field.error or load_copy(locale, "teams")("form.required", label=field.label)
    if field.options:
        return {"type": "Input.ChoiceSet", **common, "style": "compact", "value": field.value,
                "choices": [{"title": label, "value": value} for value, label in field.options]}
    rendered = {"type": "Input.Text", **common, "value": field.value, "isMultiline": field.multiline,
                "placeholder": field.placeholder, "maxLength": 1500}
    return rendered


def form_card(form: Form) -> Card:
    """A form as a card with inputs; field errors sit under their field in the attention colour, the
    coach's findings on a field under it in the warning colour."""
    body: list[dict[str, Any]] = [heading(form.title)]
    if form.intro:
        body.append(text(form.intro))
    if form.notes:
        body.append({"type": "Container", "style": "warning",
                     "items": [text(f"• {note}", size="Small") for note in form.notes]})
    for field in form.fields:
        body.append(field_input(field, form.locale))
        if field.error:
            body.append(text(field.error, color="Attention", size="Small", spacing="None"))
        elif field.hint:
            body.append(text(field.hint, isSubtle=True, size="Small", spacing="None"))
        body += [text(f"• {note}", color="Warning", size="Small", spacing="None") for note in field.notes]
    data = {"gofirst_kind": "form", "gofirst_form": form.form_id, "gofirst_context": form.context}
    actions = [{"type": "Action.Submit", "title": form.submit_label, "data": data, "style": "positive"}]
    actions += [submit(a, "form") for a in form.extra_actions]
    return envelope(body, actions)


def submitted_card(form: Form, values: dict[str, str], note: str) -> Card:
    """What a form card becomes once accepted: the answers, read-only, so it cannot be sent twice."""
    labels = {f.name: f.label for f in form.fields}
    options = {f.name: dict(f.options) for f in form.fields if f.options}
    pairs = [(labels[name], options.get(name, {}).get(value, value))
             for name, value in values.items() if name in labels and value]
    return envelope([heading(form.title), facts(pairs), text(note, isSubtle=True, size="Small")])


def home_card(view: HomeView) -> Card:
    """Teams has no App Home: the same sections as a card in the personal chat."""
    body: list[dict[str, Any]] = [heading(view.title)]
    for section in view.sections:
        items: list[dict[str, Any]] = [text(section.title, weight="Bolder", spacing="Medium")]
        items += [text(line, spacing="Small") for line in section.lines]
        if section.actions:
            items.append({"type": "ActionSet", "actions": [submit(a, "home") for a in section.actions]})
        body.append({"type": "Container", "separator": True, "items": items})
    return envelope(body)
