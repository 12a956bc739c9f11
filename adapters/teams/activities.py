"""Reading Teams activities: pure functions, so the odd shapes Teams sends are tested without I/O."""
from __future__ import annotations

import html
import re
from typing import Any
from zoneinfo import ZoneInfo

from botbuilder.schema import Activity

MENTION = re.compile(r"<at[^>]*>.*?</at>", re.IGNORECASE | re.DOTALL)
TAG = re.compile(r"<[^>]+>")
# The parts of an activity msrest passes through raw (`additional_properties`, `channel_data`) or
# turns into None when they are not objects, with the JSON type the handler needs; msrest itself
# turns every field it types as text into text, so those need no check here.
ACCOUNT = {"id": str}  # msrest would make a list its text, and a URL of it
SHAPE: dict[str, Any] = {
    "from": ACCOUNT, "recipient": ACCOUNT, "conversation": {"id": str, "tenantId": str}, "replyToId": str,
    "channelData": {"tenant": {"id": str}, "team": {"id": str, "name": str}, "channel": {"id": str, "name": str}},
    "entities": [{"mentioned": {}}], "membersAdded": [ACCOUNT], "membersRemoved": [ACCOUNT],
}
REQUIRED = (("from", "id"), ("recipient", "id"), ("conversation", "id"))  # and a serviceUrl to answer to


def shape_problem(activity: dict[str, Any]) -> str | None:
    """Why an activity can't be read (a field of the wrong type, a sender or conversation without an
    id), or None. Fields nobody reads pass through untouched."""
    problem = _problem(activity, SHAPE, "activity")
    if problem:
        return problem
    for parent, key in REQUIRED:
        if not (activity.get(parent) or {}).get(key):
            return f"activity.{parent}.{key} is missing"
    if not str(activity.get("serviceUrl") or "").startswith(("https://", "http://")):
        return "activity.serviceUrl is not a URL"
    if activity.get("channelId") == "msteams" and not isinstance(activity.get("channelData"), dict):
        return "activity.channelData is missing"  # Teams always sends it
    if isinstance(activity.get("value"), dict) and activity["value"] and not activity.get("replyToId"):
        return "activity.replyToId is missing (a card submit names its card)"
    for key in ("membersAdded", "membersRemoved"):
        if not all(member.get("id") for member in activity.get(key) or []):
            return f"activity.{key}[].id is missing"
    return None


def _problem(value: Any, shape: Any, path: str) -> str | None:
    if value is None:
        return None
    if isinstance(shape, type):
        return None if isinstance(value, shape) else f"{path} is not {'text' if shape is str else shape.__name__}"
    if isinstance(shape, list):
        if not isinstance(value, list) or None in value:
            return f"{path} is not a list of {'objects' if isinstance(shape[0], dict) else 'values'}"
        return next(filter(None, (_problem(item, shape[0], f"{path}[{n}]") for n, item in enumerate(value))), None)
    if not isinstance(value, dict):
        return f"{path} is not an object"
    return next(filter(None, (_problem(value.get(key), inner, f"{path}.{key}") for key, inner in shape.items())), None)


def plain_text(activity: Activity) -> str:
    """The message text with every @mention and HTML tag removed (Teams sends `<p>…</p>`)."""
    text = MENTION.sub(" ", activity.text or "")
    return " ".join(html.unescape(TAG.sub(" ", text)).split())


def mentions_bot(activity: Activity) -> bool:
    bot_id = activity.recipient.id if activity.recipient else None
    for entity in activity.entities or []:
        props = entity.additional_properties or {}
        mentioned = props.get("mentioned")
        if (entity.type or "").lower() == "mention" and isinstance(mentioned, dict) and mentioned.get("id") == bot_id:
            return True
    return False


def tenant_of(activity: Activity) -> str | None:
    """botbuilder reads `conversation.tenantID`; Teams sends `tenantId`, so look in both, then in
    channelData.tenant."""
    conversation = activity.conversation
    tenant = None
    if conversation is not None:
        tenant = conversation.tenant_id or (conversation.additional_properties or {}).get("tenantId")
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    found = data.get("tenant")
    tenant = tenant or (found.get("id") if isinstance(found, dict) else None)
    return tenant if isinstance(tenant, str) and tenant else None


def timezone_of(activity: Activity) -> str | None:
    for entity in activity.entities or []:
        zone = (entity.additional_properties or {}).get("timezone")
        if (entity.type or "").lower() == "clientinfo" and isinstance(zone, str) and zone:
            try:
                ZoneInfo(zone)
                return str(zone)
            except (ValueError, KeyError):
                return None
    return None


def locale_of(activity: Activity) -> str | None:
    """The sender's client language (`de-DE`; the activity's own, else its clientInfo's), when it
    looks like one; the engine keeps it only until the person picks one with `language`."""
    info = next((e.additional_properties or {} for e in activity.entities or []
                 if (e.type or "").lower() == "clientinfo"), {})
    locale = activity.locale or info.get("locale")
    if isinstance(locale, str) and 2 <= len(locale) <= 16 and locale.replace("-", "").replace("_", "").isalpha():
        return locale
    return None


def split_thread(conversation_id: str) -> tuple[str, str | None]:
    """`19:abc@thread.tacv2;messageid=42` → ("19:abc@thread.tacv2", "42")."""
    base, _, rest = conversation_id.partition(";")
    root = rest.split("=", 1)[1] if rest.lower().startswith("messageid=") else None
    return base, root
