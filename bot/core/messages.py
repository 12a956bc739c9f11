"""The neutral outbound model: adapters render these as Block Kit, Adaptive Cards or HTML."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Action:
    """A button. `action_id` comes back in `ActionClicked`; `value` is its argument."""

    action_id: str
    label: str
    value: str = ""
    style: str = "default"  # default | primary | danger


@dataclass(frozen=True)
class Fact:
    label: str
    value: str


@dataclass(frozen=True)
class Message:
    text: str
    title: str | None = None
    facts: tuple[Fact, ...] = ()
    actions: tuple[Action, ...] = ()
    context: str | None = None
    kind: str = "info"  # nudge | share_post | preview | digest | streak | help | info | error
    sender: str | None = None  # the person a post speaks for (Slack shows "<name> via GoFirst")


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    value: str = ""
    placeholder: str = ""
    hint: str = ""
    multiline: bool = True
    required: bool = True
    error: str | None = None
    options: tuple[tuple[str, str], ...] = ()  # (value, label): a picker instead of text
    notes: tuple[str, ...] = ()  # the coach's findings on this field, shown before it is sent


@dataclass(frozen=True)
class Form:
    """A form the person fills in: a Slack modal, an Adaptive Card with inputs, an HTML form."""

    form_id: str
    title: str
    fields: tuple[FormField, ...]
    submit_label: str
    context: str = ""
    intro: str | None = None
    notes: tuple[str, ...] = ()
    extra_actions: tuple[Action, ...] = ()
    locale: str = "en"  # the language of its words, so an edge's own words around it (Cancel) match

    @property
    def has_errors(self) -> bool:
        return any(f.error for f in self.fields)


@dataclass(frozen=True)
class Bar:
    """One bar of a small chart: `value` its height, `marked` drawn filled (e.g. answered)."""

    label: str
    value: int
    marked: bool = False
    note: str = ""


@dataclass(frozen=True)
class Chart:
    """A small bar chart an edge may draw; `summary` is its text alternative, always shown too."""

    title: str
    summary: str
    bars: tuple[Bar, ...] = ()


@dataclass(frozen=True)
class HomeSection:
    title: str
    lines: tuple[str, ...] = ()
    actions: tuple[Action, ...] = ()
    chart: Chart | None = None


@dataclass(frozen=True)
class HomeView:
    title: str
    sections: tuple[HomeSection, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Sent:
    """Where a delivered message landed, so it can be threaded, updated or found again."""

    channel_id: str
    message_id: str


def message_to_data(message: Message) -> dict[str, Any]:
    """A message as JSON-ready data, so an outbox row can hold what it will send."""
    return asdict(message)


def message_from_data(data: dict[str, Any]) -> Message:
    return Message(**{**data, "facts": tuple(Fact(**f) for f in data.get("facts", ())),
                      "actions": tuple(Action(**a) for a in data.get("actions", ()))})
