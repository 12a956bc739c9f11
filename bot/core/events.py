"""Inbound events: what every platform adapter translates its traffic into."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Event:
    """`locale` is the language the platform says the sender uses (Teams puts it on every
    activity), as the platform spells it; it counts only until the person picks one themselves."""

    workspace_id: str
    locale: str | None = field(default=None, kw_only=True)


@dataclass(frozen=True)
class CommandReceived(Event):
    """A slash command or a text command in the DM, e.g. `snooze 2w`."""

    user_id: str
    text: str
    trigger: str | None = None


@dataclass(frozen=True)
class ActionClicked(Event):
    """A button: `action_id` names the action, `value` carries its argument."""

    user_id: str
    action_id: str
    value: str = ""
    channel_id: str | None = None
    message_id: str | None = None
    trigger: str | None = None


@dataclass(frozen=True)
class FormSubmitted(Event):
    user_id: str
    form_id: str
    values: dict[str, str] = field(default_factory=dict)
    context: str = ""


@dataclass(frozen=True)
class ChannelReplyPosted(Event):
    """A message in a thread (`thread_id` is the parent message) of a channel."""

    channel_id: str
    thread_id: str
    message_id: str
    user_id: str
    text: str


@dataclass(frozen=True)
class ReplyEdited(Event):
    channel_id: str
    message_id: str
    text: str


@dataclass(frozen=True)
class ReplyDeleted(Event):
    channel_id: str
    message_id: str


@dataclass(frozen=True)
class HomeOpened(Event):
    user_id: str


@dataclass(frozen=True)
class MemberJoined(Event):
    channel_id: str
    user_id: str


@dataclass(frozen=True)
class BotAddedToTeam(Event):
    """GoFirst was added to a team's channel by `user_id` (names as the platform gave them)."""

    channel_id: str
    user_id: str
    display_name: str = ""
    team_name: str = ""


@dataclass(frozen=True)
class ProfileSeen(Event):
    """The platform showed a person's display name on the way, e.g. on a message they sent. The id
    is `platform_user_id`, not `user_id`: seeing a name does not make someone a newcomer to meet."""

    platform_user_id: str
    display_name: str
