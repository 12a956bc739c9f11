"""The playground's part of a person's export and erasure: what they wrote there, and their DM and
home with GoFirst. Other people's messages in the same channel stay."""
from __future__ import annotations

from typing import Any

from sqlalchemy import or_
from sqlmodel import col

from bot.privacy import TableHook
from storage.tables import Person
from storage.tables.playground import PlaygroundMessage


def _own(person: Person) -> tuple[Any, ...]:
    user = person.platform_user_id
    return (col(PlaygroundMessage.workspace_id) == person.workspace_id,
            or_(col(PlaygroundMessage.author) == user,
                col(PlaygroundMessage.conversation).in_([f"dm:{user}", f"home:{user}"])))


HOOK = TableHook("playground_messages", PlaygroundMessage, _own)
