"""Conversation references, cached in memory and kept in `teams_conversation`.

The handler saves before the engine runs, in its own committed session. What the platform learns
while sending (a new 1:1 chat, a person gone) is written at once, in a session of its own: the
engine calls platforms only after its transaction has committed, so no write lock is held then.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from collections import OrderedDict
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import col, select

from bot.clock import Clock
from storage.db import Database
from storage.identity import native_of
from storage.repositories.people import ensure_workspace
from storage.tables.teams import TeamsConversation

log = logging.getLogger(__name__)
T = TypeVar("T")


class Recent(OrderedDict[str, T]):
    """A bounded memory of the latest cards and forms: enough to rewrite a card a person clicks
    minutes later; after a restart a card simply stays as it was."""

    def __init__(self, limit: int = 2000) -> None:
        super().__init__()
        self.limit = limit

    def __setitem__(self, key: str, value: T) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        while len(self) > self.limit:
            self.popitem(last=False)


@dataclass(frozen=True)
class Conversation:
    workspace_id: str
    conversation_id: str
    kind: str  # personal | channel | groupChat
    service_url: str
    reference: dict[str, Any] = field(default_factory=dict)
    user_id: str | None = None
    team_id: str | None = None
    name: str = ""
    tz: str | None = None
    gone_reason: str | None = None


def from_row(row: TeamsConversation) -> Conversation:
    return Conversation(row.workspace_id, row.conversation_id, row.kind, row.service_url, dict(row.reference),
                        row.user_id, row.team_id, row.name, row.tz, row.gone_reason)


class ReferenceStore:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db, self.clock = db, clock
        self._cache: dict[tuple[str, str], Conversation] = {}
        self._users: dict[tuple[str, str], str] = {}
        self.profiles: Recent[tuple[str, str | None]] = Recent(20000)  # names seen on activities

    def _remember(self, conv: Conversation) -> None:
        self._cache[(conv.workspace_id, conv.conversation_id)] = conv
        if conv.kind == "personal" and conv.user_id:
            self._users[(conv.workspace_id, conv.user_id)] = conv.conversation_id

    async def save(self, conv: Conversation) -> None:
        """Insert or refresh one conversation; a person seen again is a person reachable again."""
        self._remember(conv)
        for _ in range(2):
            try:
                async with self.db.session() as session:
                    await ensure_workspace(session, conv.workspace_id, f"Teams tenant {native_of(conv.workspace_id, 'teams')}")
                    query = select(TeamsConversation).where(
                        TeamsConversation.workspace_id == conv.workspace_id,
                        TeamsConversation.conversation_id == conv.conversation_id)
                    row = (await session.exec(query)).first() or TeamsConversation(
                        workspace_id=conv.workspace_id, conversation_id=conv.conversation_id,
                        kind=conv.kind, service_url=conv.service_url)
                    row.kind, row.service_url, row.reference = conv.kind, conv.service_url, conv.reference
                    row.user_id = conv.user_id or row.user_id
                    row.team_id = conv.team_id or row.team_id
                    row.name = (conv.name or row.name)[:200]
                    row.tz = conv.tz or row.tz
                    row.gone_reason = conv.gone_reason
                    row.updated_at = self.clock.now()
                    session.add(row)
                return
            except IntegrityError:  # the same conversation raced in from a retried activity
                continue

    def saw(self, workspace_id: str, user_id: str, name: str, tz: str | None) -> None:
        """A sender's name (and zone) from any activity, for people first met in a channel."""
        if name:
            self.profiles[f"{workspace_id}/{user_id}"] = (name, tz)

    async def learned(self, conv: Conversation) -> None:
        """What a send taught us, stored without failing the send: a write that fails is logged,
        and this process still knows it from its cache."""
        try:
            await self.save(conv)
        except (SQLAlchemyError, OSError):
            log.exception("could not store Teams conversation %s", conv.conversation_id)

    async def mark_gone(self, conv: Conversation, reason: str) -> None:
        await self.learned(replace(conv, gone_reason=reason[:200]))

    async def _find(self, *where: Any) -> Conversation | None:
        async with self.db.session() as session:
            query = select(TeamsConversation).where(*where).order_by(col(TeamsConversation.updated_at).desc())
            row = (await session.exec(query)).first()
        if row is None:
            return None
        conv = from_row(row)
        self._remember(conv)
        return conv

    async def conversation(self, workspace_id: str, conversation_id: str) -> Conversation | None:
        base = conversation_id.split(";", 1)[0]
        cached = self._cache.get((workspace_id, base))
        if cached is not None:
            return cached
        return await self._find(TeamsConversation.workspace_id == workspace_id,
                                TeamsConversation.conversation_id == base)

    async def personal(self, workspace_id: str, user_id: str) -> Conversation | None:
        conv_id = self._users.get((workspace_id, user_id))
        if conv_id is not None:
            return self._cache[(workspace_id, conv_id)]
        return await self._find(TeamsConversation.workspace_id == workspace_id,
                                TeamsConversation.user_id == user_id, TeamsConversation.kind == "personal")

    async def any_in(self, workspace_id: str) -> Conversation | None:
        """Any conversation of the tenant: its service URL and bot account open a new 1:1 chat."""
        for (ws, _), conv in self._cache.items():
            if ws == workspace_id:
                return conv
        return await self._find(TeamsConversation.workspace_id == workspace_id)
