"""Reading a request to /slack/events before bolt does: bolt parses the body before it checks the
signature, and then trusts its shape (`body["team"]["id"]`, `int(timestamp)`), so a stranger's
garbage or a signed but odd payload used to end as a 500. Here the signature comes first, then the
body's shape; every refusal is a 4xx with a short reason."""
from __future__ import annotations

import re
from typing import Any

from aiohttp import web
from slack_bolt.request.internals import extract_enterprise_id, extract_team_id, parse_body
from slack_sdk.signature import SignatureVerifier

CONTENT_TYPES = ("application/json", "application/x-www-form-urlencoded")
TIMESTAMP = re.compile(r"[0-9]{1,12}")
# What bolt, the middleware and the listeners read: text (or nothing) where Slack sends text...
TEXT = frozenset({"id", "type", "subtype", "token", "team_id", "user_id", "channel_id", "enterprise_id", "event_id",
                  "api_app_id", "ts", "thread_ts", "event_ts", "deleted_ts", "message_ts", "channel_type", "tab",
                  "bot_id", "app_id", "user_team", "callback_id", "action_id", "block_id", "value", "action_ts",
                  "trigger_id", "response_url", "private_metadata", "command", "challenge", "view_id", "hash",
                  "app_installed_team_id", "function_execution_id", "bot_access_token", "selected_conversation",
                  "selected_channel", "selected_user", "selected_date", "selected_time", "external_id"})
# ...an id or an object with an id where Slack sends either...
EITHER = frozenset({"user", "team", "channel", "enterprise"})
# ...and objects, or lists of them, that are read further.
OBJECTS = frozenset({"event", "view", "container", "message", "previous_message", "item", "state",
                     "assistant_thread", "function_data", "selected_option", "tokens"})
LISTS = frozenset({"authorizations", "actions", "response_urls", "selected_options"})
EDITS = ("message_changed", "message_deleted")  # these carry the ts of the message they change
UNSCOPED = ("url_verification", "app_rate_limited")  # the only payloads that name no workspace
NEVER_NULL = frozenset({"event", "view", "state"})  # read as `body.get("view", {})["state"]`
# What bolt indexes without looking, per kind of payload, to pick a listener.
REQUIRED = {"event_callback": ("event", "type"), "block_actions": ("actions", 0, "action_id"),
            "view_submission": ("view", "type"), "view_closed": ("view", "callback_id"),
            "shortcut": ("callback_id",), "message_action": ("callback_id",), "interactive_message": ("callback_id",),
            "dialog_submission": ("callback_id",), "dialog_cancellation": ("callback_id",),
            "dialog_suggestion": ("callback_id",), "workflow_step_edit": ("callback_id",),
            "block_suggestion": ("action_id",)}


class Unreadable(Exception):
    """A request refused before bolt sees it; `status` is 4xx, the message is the reason."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


async def check(verifier: SignatureVerifier, request: web.Request) -> None:
    """Raises `Unreadable` unless the request is Slack's and bolt can read it: a content type Slack
    sends, then the signature, then the payload's shape."""
    if request.content_type not in CONTENT_TYPES:
        raise Unreadable(415, f"expected one of {', '.join(CONTENT_TYPES)}")
    body = await request.text()  # the server's guard has checked its size, charset and nesting
    verify(verifier, request, body)
    check_payload(request, body)


def verify(verifier: SignatureVerifier, request: web.Request, body: str) -> None:
    """Slack's signature over this body, at a timestamp that is a number and recent."""
    timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
    signature = request.headers.get("X-Slack-Signature", "")
    if not TIMESTAMP.fullmatch(timestamp) or not signature:
        raise Unreadable(401, "missing or malformed Slack signature headers")
    if not verifier.is_valid(body, timestamp, signature):
        raise Unreadable(401, "invalid request signature")


def check_payload(request: web.Request, body: str) -> None:
    """The signed body, parsed as bolt will parse it, must be an object of the shape bolt expects."""
    try:
        data = parse_body(body, request.headers.get("Content-Type", "").split(";")[0])
    except (ValueError, RecursionError):
        raise Unreadable(400, "malformed Slack request body") from None
    if not isinstance(data, dict):
        raise Unreadable(400, "the Slack payload is not a JSON object")
    problem = shape_problem(data, "body") or missing(data) or unscoped(data)
    if problem:
        raise Unreadable(400, problem)


def shape_problem(data: dict[str, Any], where: str) -> str | None:
    """The first field of the wrong type, by its path, or None. Only the fields something reads are
    checked; whatever else Slack adds passes through untouched."""
    for key, value in data.items():
        path = f"{where}.{key}"
        if value is None and key in NEVER_NULL:
            return f"{path} is null"
        if value is None:
            continue
        if key in TEXT and not isinstance(value, str):
            return f"{path} is not text"
        if key in EITHER and not isinstance(value, (str, dict)):
            return f"{path} is neither an id nor an object"
        if key in OBJECTS and not isinstance(value, dict):
            return f"{path} is not an object"
        if key in LISTS and not (isinstance(value, list) and all(isinstance(v, dict) for v in value)):
            return f"{path} is not a list of objects"
        if key == "values" and where.endswith("state"):
            problem = _state_problem(value, path)
        elif isinstance(value, dict) and (key in EITHER or key in OBJECTS):
            problem = shape_problem(value, path)
        elif key in LISTS:
            problem = next(filter(None, (shape_problem(v, f"{path}[{n}]") for n, v in enumerate(value))), None)
        else:
            problem = None
        if problem:
            return problem
    return None


def missing(data: dict[str, Any]) -> str | None:
    """The field bolt needs to route this kind of payload, when it is absent."""
    path = REQUIRED.get(str(data.get("type")), ())
    node: Any = data
    for step in path:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            node = None
        if node is None:
            return f"body.{'.'.join(map(str, path))} is missing"
    event = data.get("event") or {}
    if event.get("type") == "message" and event.get("subtype") not in EDITS and not event.get("ts"):
        return "body.event.ts is missing"  # a message is known by its ts
    if data.get("type") == "view_submission" and not isinstance(data["view"].get("callback_id"), str):
        return "body.view.callback_id is missing"
    if data.get("type") == "block_actions":  # every action is matched by its id
        if not all(isinstance(a.get("action_id"), str) for a in data["actions"]):
            return "body.actions[].action_id is missing"
    return None


def unscoped(data: dict[str, Any]) -> str | None:
    """Every payload but a URL check names its workspace (a team, or an enterprise for org installs)."""
    if data.get("type") in UNSCOPED or "ssl_check" in data:
        return None
    named = extract_team_id(data) or extract_enterprise_id(data)
    return None if isinstance(named, str) and named else "the payload names no workspace (team_id)"


def _state_problem(values: Any, path: str) -> str | None:
    """A modal's `state.values`: block id → action id → the input's value object."""
    if not isinstance(values, dict):
        return f"{path} is not an object"
    for block, actions in values.items():
        if not isinstance(actions, dict) or not all(isinstance(v, dict) for v in actions.values()):
            return f"{path}.{block} is not an object of inputs"
        for action, entry in actions.items():
            problem = shape_problem(entry, f"{path}.{block}.{action}")
            if problem:
                return problem
    return None
