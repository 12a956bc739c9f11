"""The words GoFirst's buttons and commands use, defined once: compose puts them on messages, the
engine dispatches on them, the adapters and the app manifests list them."""
from __future__ import annotations

from enum import StrEnum


class ActionId(StrEnum):
    NUDGE_SHARE = "nudge.share"
    NUDGE_SNOOZE = "nudge.snooze"
    NUDGE_SKIP = "nudge.skip"
    NUDGE_OPTOUT = "nudge.optout"
    SHARE_POST = "share.post"
    SHARE_EDIT = "share.edit"
    SHARE_REFRAME = "share.reframe"
    DIGEST_ANSWER = "digest.answer"
    HOME_SHARE = "home.share"
    HOME_SNOOZE = "home.snooze"
    HOME_OPTOUT = "home.optout"
    HOME_OPTIN = "home.optin"


COMMANDS = ("help", "share", "streak", "snooze", "vacation", "skip", "timezone", "hours", "optout", "optin", "status")
SETTINGS_COMMANDS = ("vacation", "skip", "timezone", "hours")
