"""The Events API inbox. Slack retries an event up to three times when an ack is slow, and never
resends one it got a 200 for; bolt doesn't de-duplicate. So every event is written here, with its
verified body, *before* the ack: a retry finds its `event_id` and is acknowledged unprocessed (on
any process, after any restart), and an event whose handling was cut short stays `received` until
a replica replays it. Events arriving together are written together (batch.py): one INSERT ... ON
CONFLICT DO NOTHING per batch, whose RETURNING names the ids that were new."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select

from adapters.slack.batch import Batcher
from bot.clock import Clock
from storage.db import Database
from storage.tables.slack import SlackSeenEvent

log = logging.getLogger(__name__)
KEEP = timedelta(days=2)     # Slack stops retrying after about an hour
PRUNE_EVERY = 500


class SeenEvents:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        self._recent: dict[str, None] = {}   # insertion-ordered, bounded: saves a round trip
        self._inserts = 0
        self._stores: Batcher[dict[str, Any], bool] = Batcher(self._store)
        self._dones: Batcher[str, None] = Batcher(self._mark_done)

    async def first_time(self, event_id: str, team_id: str = "", event_type: str = "",
                         body: str | None = None) -> bool:
        """True the first time an event id is seen (stored `received` with its body, when given),
        False for every retry of it."""
        if event_id in self._recent:
            return False
        new = await self._stores.submit({
            "event_id": event_id[:64], "team_id": team_id[:32], "event_type": event_type[:64],
            "seen_at": self.clock.now(), "body": body, "state": "received" if body is not None else "done",
            "claimed_at": None})
        self._remember(event_id)
        if new:
            self._inserts += 1
            if self._inserts % PRUNE_EVERY == 0:
                await self.prune()
        return new

    async def _store(self, rows: list[dict[str, Any]]) -> list[bool]:
        """One statement for the batch; a row whose id is already stored (or earlier in the batch:
        a retry racing its first delivery) is skipped and answered False."""
        insert = postgresql.insert if self.db.engine.dialect.name == "postgresql" else sqlite.insert
        async with self.db.session() as session:
            new = set((await session.exec(
                insert(SlackSeenEvent).values(rows).on_conflict_do_nothing(index_elements=["event_id"])
                .returning(col(SlackSeenEvent.event_id)))).scalars())
        answers = []
        for row in rows:
            answers.append(row["event_id"] in new)
            new.discard(row["event_id"])
        return answers

    async def done(self, event_id: str) -> None:
        """Handled: the body is no longer needed."""
        await self._dones.submit(event_id[:64])

    async def _mark_done(self, event_ids: list[str]) -> list[None]:
        async with self.db.session() as session:
            await session.exec(update(SlackSeenEvent).where(col(SlackSeenEvent.event_id).in_(event_ids))
                               .values(state="done", body=None))
        return [None] * len(event_ids)

    async def unfinished(self, older_than: datetime, limit: int = 50) -> list[tuple[str, str]]:
        """Events stored but not handled (a crash, the database gone mid-way), claimed for replay:
        the conditional update lets one replica take each."""
        async with self.db.session() as session:
            rows = (await session.exec(
                select(SlackSeenEvent.event_id, SlackSeenEvent.body)
                .where(SlackSeenEvent.state == "received", col(SlackSeenEvent.seen_at) < older_than,
                       (col(SlackSeenEvent.claimed_at).is_(None)) | (col(SlackSeenEvent.claimed_at) < older_than))
                .order_by(col(SlackSeenEvent.seen_at)).limit(limit))).all()
        claimed = []
        for event_id, body in rows:
            async with self.db.session() as session:
                result = await session.exec(update(SlackSeenEvent).where(
                    col(SlackSeenEvent.event_id) == event_id, col(SlackSeenEvent.state) == "received",
                    (col(SlackSeenEvent.claimed_at).is_(None)) | (col(SlackSeenEvent.claimed_at) < older_than))
                    .values(claimed_at=self.clock.now()))
            if result.rowcount == 1 and body:
                claimed.append((event_id, body))
        return claimed

    def _remember(self, event_id: str) -> None:
        self._recent[event_id] = None
        if len(self._recent) > 10_000:
            self._recent.pop(next(iter(self._recent)))

    async def prune(self) -> int:
        async with self.db.session() as session:
            result = await session.exec(delete(SlackSeenEvent).where(
                col(SlackSeenEvent.seen_at) < self.clock.now() - KEEP, col(SlackSeenEvent.state) == "done"))
            return int(result.rowcount or 0)
