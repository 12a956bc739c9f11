"""Reading Teams activities: pure functions, so the odd shapes Teams sends are tested without I/O."""
from __future__ import annotations

import html
import re
from zoneinfo import ZoneInfo

from botbuilder.schema import Activity

MENTION = re.compile(r"<at[^>]*>.*?</at>", re.IGNORECASE | re.DOTALL)
TAG = re.compile(r"<[^>]+>")


def plain_text(activity: Activity) -> str:
    """The message text with every @mention and HTML tag removed (Teams sends `<p>…</p>`)."""
    text = MENTION.sub(" ", activity.text or "")
    return " ".join(html.unescape(TAG.sub(" ", text)).split())


def mentions_bot(activity: Activity) -> bool:
    bot_id = activity.recipient.id if activity.recipient else None
    for entity in activity.entities or []:
        props = entity.additional_properties or {}
        if (entity.type or "").lower() == "mention" and (props.get("mentioned") or {}).get("id") == bot_id:
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
    return tenant or (data.get("tenant") or {}).get("id")


def timezone_of(activity: Activity) -> str | None:
    for entity in activity.entities or []:
        zone = (entity.additional_properties or {}).get("timezone")
        if (entity.type or "").lower() == "clientinfo" and zone:
            try:
                ZoneInfo(zone)
                return str(zone)
            except (ValueError, KeyError):
                return None
    return None


def split_thread(conversation_id: str) -> tuple[str, str | None]:
    """`19:abc@thread.tacv2;messageid=42` → ("19:abc@thread.tacv2", "42")."""
    base, _, rest = conversation_id.partition(";")
    root = rest.split("=", 1)[1] if rest.lower().startswith("messageid=") else None
    return base, root
