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
    SHARE_REVISE = "share.revise"
    SHARE_WITHDRAW = "share.withdraw"
    SHARE_TELL = "share.tell"
    DIGEST_ANSWER = "digest.answer"
    DIGEST_RAISE = "digest.raise"
    HOME_SHARE = "home.share"
    HOME_SNOOZE = "home.snooze"
    HOME_OPTOUT = "home.optout"
    HOME_OPTIN = "home.optin"
    PRIVACY_ERASE = "privacy.erase"


COMMANDS = ("help", "share", "digest", "streak", "snooze", "vacation", "skip", "timezone", "hours", "optout", "optin",
            "status", "analysis", "export", "erase", "language")
SETTINGS_COMMANDS = ("vacation", "skip", "timezone", "hours", "language")
