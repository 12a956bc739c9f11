"""Slack Web API errors as outcomes the engine can act on: what is gone (a person, a channel, the
whole installation) and whether trying again later can help."""
from __future__ import annotations

from typing import Any

from aiohttp import ClientConnectorError
from slack_sdk.errors import SlackApiError

from bot.core.port import DeliveryError

# The bot is not in the channel or cannot see it: the leader is told how to invite it.
CHANNEL = {"not_in_channel", "channel_not_found", "is_archived", "restricted_action",
           "restricted_action_read_only_channel", "restricted_action_thread_only_channel",
           "cant_post_in_channel"}
# The person cannot be reached any more: nudges to them stop.
PERSON = {"account_inactive", "user_not_found", "user_disabled", "cannot_dm_bot", "user_not_visible"}
# The installation is gone: the workspace is marked inactive and nothing more is sent there.
WORKSPACE = {"invalid_auth", "token_revoked", "not_authed", "token_expired", "app_uninstalled",
             "org_login_required", "team_access_not_granted"}
# Worth retrying later: Slack's side or ours, not the request.
TRANSIENT = {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}


def error_code(exc: SlackApiError) -> str:
    data: Any = getattr(exc.response, "data", None)
    return str(data.get("error", "unknown_error")) if isinstance(data, dict) else "unknown_error"


def retry_after(exc: SlackApiError) -> float | None:
    headers = getattr(exc.response, "headers", None) or {}
    for name, value in headers.items():
        if name.lower() == "retry-after":
            raw = value[0] if isinstance(value, list) else value
            try:
                return float(raw)
            except (TypeError, ValueError):
                return None
    return None


def delivery_error(exc: SlackApiError) -> DeliveryError:
    """Maps one failed call. `account_inactive` on the bot's own token is indistinguishable from a
    deactivated recipient in chat.postMessage; Slack documents it for the recipient there."""
    code = error_code(exc)
    status = getattr(exc.response, "status_code", 200)
    if code in WORKSPACE:
        return DeliveryError(code, permanent=True, scope="workspace")
    if code in PERSON:
        return DeliveryError(code, permanent=True, scope="person")
    if code in CHANNEL:
        return DeliveryError(code, permanent=True, scope="channel")
    if status == 429 or code in TRANSIENT or status >= 500:
        return DeliveryError(code, permanent=False, retry_after=retry_after(exc))
    # Anything else is a request Slack will keep refusing: record it, don't retry it.
    return DeliveryError(code, permanent=True)


# Calls that create something each time they succeed: never repeated blindly.
NOT_IDEMPOTENT = frozenset({"chat.postMessage"})


def never_sent(exc: BaseException) -> bool:
    """Refused before the request left (no connection): Slack cannot have acted on it."""
    return isinstance(exc, ClientConnectorError)


def transport_error(exc: Exception, method: str = "") -> DeliveryError:
    """Slack unreachable (DNS, connection, timeout): worth another try, but a write that may have
    arrived (a timeout or a reset after the request left) is an unknown outcome, not a failure."""
    unknown = method in NOT_IDEMPOTENT and not never_sent(exc)
    return DeliveryError(f"slack unreachable: {type(exc).__name__}" + (" (outcome unknown)" if unknown else ""),
                         permanent=False, outcome_unknown=unknown)
