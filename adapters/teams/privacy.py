"""The Teams adapter's part of a person's export and erasure: their own chat reference (name,
timezone, how to reach them). Channel and group references belong to no one person and stay."""
from __future__ import annotations

from typing import Any

from sqlmodel import col

from bot.privacy import TableHook
from storage.tables import Person
from storage.tables.teams import TeamsConversation


def _personal(person: Person) -> tuple[Any, ...]:
    return (col(TeamsConversation.workspace_id) == person.workspace_id,
            col(TeamsConversation.user_id) == person.platform_user_id)


HOOK = TableHook("teams_conversations", TeamsConversation, _personal)
