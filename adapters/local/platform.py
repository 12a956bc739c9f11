"""The `local` platform: the engine's messages land in the playground's table and go live to the page.

Writes are queued and applied one at a time, in order, on their own session. The engine calls the
platform while its own transaction may hold SQLite's single write lock; writing inline from a second
connection would wait on a lock that is only released after the call returns. Routes call `flush()`
after the engine is done, so an HTTP answer always means "stored and broadcast".
"""
from __future__ import annotations

import asyncio
import dataclasses
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from adapters.local.broadcast import Broadcaster
from bot.clock import Clock
from bot.core.messages import Form, HomeView, Message, Sent
from bot.core.port import Profile
from storage.db import Database
from storage.repositories.people import find_person
from storage.tables.playground import PlaygroundMessage

log = logging.getLogger(__name__)
BOT = "gofirst"
MARKER = "marker"   # payload key of a marked DM (exactly-once delivery, bot/delivery/capability.py)
Operation = Callable[[AsyncSession], Awaitable[dict[str, Any] | None]]


def as_json(item: Message | Form | HomeView) -> dict[str, Any]:
    return dataclasses.asdict(item)


def row_json(row: PlaygroundMessage) -> dict[str, Any]:
    """What the page and the API see of a stored message."""
    return {"message_id": row.message_id, "conversation": row.conversation, "thread_id": row.thread_id,
            "author": row.author, "kind": row.kind, "payload": row.payload,
            "created_at": row.created_at.isoformat(), "updated_at": row.updated_at.isoformat()}


def same_form(payload: dict[str, Any], form: Form) -> bool:
    shown = payload.get("form") or {}
    return payload.get("state") == "open" and shown.get("form_id") == form.form_id and \
        shown.get("context") == form.context


def dm_of(user_id: str) -> str:
    return f"dm:{user_id}"


def channel_of(channel_id: str) -> str:
    return f"channel:{channel_id}"


def home_of(user_id: str) -> str:
    return f"home:{user_id}"


class LocalPlatform:
    """Implements the engine's `Platform` port for the playground."""

    name = "local"

    def __init__(self, db: Database, clock: Clock, broadcaster: Broadcaster) -> None:
        self.db = db
        self.clock = clock
        self.broadcaster = broadcaster
        self._lock: asyncio.Lock | None = None
        self._pending: set[asyncio.Task[None]] = set()

    # --- the Platform port -------------------------------------------------------------------
    async def send_dm(self, workspace_id: str, user_id: str, message: Message) -> Sent:
        message_id = self.add(workspace_id, dm_of(user_id), BOT, message.kind, {"message": as_json(message)})
        return Sent(dm_of(user_id), message_id)

    async def send_dm_marked(self, workspace_id: str, user_id: str, message: Message, marker: str) -> Sent:
        """A DM whose row keeps the marker, so `find_sent` can tell after a crash whether it went out."""
        message_id = self.add(workspace_id, dm_of(user_id), BOT, message.kind,
                              {"message": as_json(message), MARKER: marker})
        return Sent(dm_of(user_id), message_id)

    async def find_sent(self, workspace_id: str, user_id: str, marker: str) -> Sent | None:
        """The stored DM carrying `marker`. A write this process queued is stored first; one a
        killed process never stored was never shown either, so None (send it) is the truth."""
        found = await self._marked(workspace_id, dm_of(user_id), marker)
        return Sent(dm_of(user_id), found) if found else None

    async def _marked(self, workspace_id: str, conversation: str, marker: str) -> str | None:
        await self.flush()
        async with self.db.session() as session:
            query = (select(PlaygroundMessage.message_id)
                     .where(col(PlaygroundMessage.workspace_id) == workspace_id,
                            col(PlaygroundMessage.conversation) == conversation,
                            col(PlaygroundMessage.author) == BOT,
                            col(PlaygroundMessage.payload)[MARKER].as_string() == marker)
                     .order_by(col(PlaygroundMessage.id)).limit(1))
            return (await session.exec(query)).first()

    async def post_marked(self, workspace_id: str, channel_id: str, message: Message, thread_id: str | None,
                          marker: str) -> Sent:
        """A channel post whose row keeps the marker, for `find_posted` after a crash."""
        message_id = self.add(workspace_id, channel_of(channel_id), BOT, message.kind,
                              {"message": as_json(message), MARKER: marker}, thread_id=thread_id)
        return Sent(channel_id, message_id)

    async def find_posted(self, workspace_id: str, channel_id: str, thread_id: str | None,
                          marker: str) -> Sent | None:
        found = await self._marked(workspace_id, channel_of(channel_id), marker)
        return Sent(channel_id, found) if found else None

    async def post(
        self, workspace_id: str, channel_id: str, message: Message, thread_id: str | None = None
    ) -> Sent:
        message_id = self.add(workspace_id, channel_of(channel_id), BOT, message.kind,
                              {"message": as_json(message)}, thread_id=thread_id)
        return Sent(channel_id, message_id)

    async def update(self, workspace_id: str, sent: Sent, message: Message) -> None:
        self.replace(sent.message_id, {"message": as_json(message)}, kind=message.kind)

    async def open_form(self, workspace_id: str, user_id: str, form: Form, trigger: str | None = None) -> None:
        """A form in the DM; the same form asked for again (a double click) is the one already open."""
        payload, conversation, now = {"form": as_json(form), "state": "open"}, dm_of(user_id), self.clock.now()

        async def put(session: AsyncSession) -> dict[str, Any]:
            query = (select(PlaygroundMessage).where(col(PlaygroundMessage.workspace_id) == workspace_id,
                                                     col(PlaygroundMessage.conversation) == conversation,
                                                     col(PlaygroundMessage.kind) == "form")
                     .order_by(col(PlaygroundMessage.id).desc()).limit(20))
            row = next((r for r in (await session.exec(query)).all() if same_form(r.payload, form)), None)
            if row is None:
                row = PlaygroundMessage(workspace_id=workspace_id, conversation=conversation, author=BOT, kind="form",
                                        message_id=f"m-{uuid.uuid4().hex[:16]}", payload=payload,
                                        created_at=now, updated_at=now)
            row.payload, row.updated_at = payload, now
            session.add(row)
            await session.flush()
            return {"type": "message", "message": row_json(row)}

        self._schedule(put)

    async def publish_home(self, workspace_id: str, user_id: str, view: HomeView) -> None:
        self.upsert(workspace_id, home_of(user_id), "home", {"home": as_json(view)})

    async def fetch_profile(self, workspace_id: str, user_id: str) -> Profile | None:
        async with self.db.session() as session:
            person = await find_person(session, workspace_id, user_id)
        return Profile(person.display_name, person.tz) if person else None

    # --- writes, queued in order ------------------------------------------------------------
    def add(self, workspace_id: str, conversation: str, author: str, kind: str, payload: dict[str, Any],
            thread_id: str | None = None) -> str:
        """Queues a new message and returns its id at once, as a real platform's send would."""
        message_id = f"m-{uuid.uuid4().hex[:16]}"
        now = self.clock.now()
        row = PlaygroundMessage(workspace_id=workspace_id, conversation=conversation, thread_id=thread_id,
                                message_id=message_id, author=author, kind=kind, payload=payload,
                                created_at=now, updated_at=now)

        async def insert(session: AsyncSession) -> dict[str, Any]:
            session.add(row)
            await session.flush()
            return {"type": "message", "message": row_json(row)}

        self._schedule(insert)
        return message_id

    def replace(self, message_id: str, payload: dict[str, Any], kind: str | None = None) -> None:
        """Rewrites a message in place (an answered nudge, a form with errors, an edited reply). A
        marker stays: an answered nudge must still be found if its send is being recovered."""
        values: dict[str, Any] = {"payload": payload, "updated_at": self.clock.now()}
        if kind is not None:
            values["kind"] = kind

        async def rewrite(session: AsyncSession) -> dict[str, Any] | None:
            row = await self._row(session, message_id)
            if row is None:
                log.warning("playground: update of unknown message %s ignored", message_id)
                return None
            kept = {MARKER: row.payload[MARKER]} if MARKER in (row.payload or {}) else {}
            await session.exec(update(PlaygroundMessage)
                               .where(col(PlaygroundMessage.message_id) == message_id)
                               .values(**{**values, "payload": {**payload, **kept}}))
            await session.refresh(row)
            return {"type": "message", "message": row_json(row)}

        self._schedule(rewrite)

    def upsert(self, workspace_id: str, conversation: str, kind: str, payload: dict[str, Any]) -> None:
        """One message per conversation, e.g. a person's home view, published again and again."""
        now = self.clock.now()

        async def put(session: AsyncSession) -> dict[str, Any]:
            result = await session.exec(update(PlaygroundMessage)
                                        .where(col(PlaygroundMessage.message_id) == conversation)
                                        .values(payload=payload, updated_at=now))
            if not result.rowcount:
                session.add(PlaygroundMessage(workspace_id=workspace_id, conversation=conversation,
                                              message_id=conversation, author=BOT, kind=kind, payload=payload,
                                              created_at=now, updated_at=now))
                await session.flush()
            row = await self._row(session, conversation)
            assert row is not None
            return {"type": "message", "message": row_json(row)}

        self._schedule(put)

    def remove(self, message_id: str) -> None:
        async def drop(session: AsyncSession) -> dict[str, Any]:
            await session.exec(delete(PlaygroundMessage)
                               .where(col(PlaygroundMessage.message_id) == message_id))
            return {"type": "deleted", "message_id": message_id}

        self._schedule(drop)

    def _schedule(self, operation: Operation) -> None:
        task = asyncio.get_running_loop().create_task(self._apply(operation))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _apply(self, operation: Operation) -> None:
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:  # asyncio.Lock is FIFO: writes land in the order they were made
            try:
                async with self.db.session() as session:
                    event = await operation(session)
            except Exception:
                log.exception("playground: a message could not be stored")
                return
        if event is not None:
            self.broadcaster.publish(event)

    async def flush(self) -> None:
        """Waits until every queued write is stored and broadcast."""
        while self._pending:
            await asyncio.gather(*list(self._pending))

    # --- reads ------------------------------------------------------------------------------
    @staticmethod
    async def _row(session: AsyncSession, message_id: str) -> PlaygroundMessage | None:
        query = select(PlaygroundMessage).where(PlaygroundMessage.message_id == message_id)
        return (await session.exec(query)).first()

    async def message(self, message_id: str) -> PlaygroundMessage | None:
        await self.flush()
        async with self.db.session() as session:
            return await self._row(session, message_id)

    async def history(self, workspace_id: str) -> list[dict[str, Any]]:
        """Every stored message of the workspace, oldest first."""
        await self.flush()
        async with self.db.session() as session:
            query = (select(PlaygroundMessage).where(PlaygroundMessage.workspace_id == workspace_id)
                     .order_by(col(PlaygroundMessage.id)))
            return [row_json(row) for row in (await session.exec(query)).all()]
