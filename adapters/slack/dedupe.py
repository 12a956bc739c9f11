"""The Events API inbox. Slack retries an event up to three times when an ack is slow, and never
resends one it got a 200 for; bolt doesn't de-duplicate. So every event is written here, with its
verified body, *before* the ack: a retry finds its `event_id` and is acknowledged unprocessed (on
any process, after any restart), and an event whose handling was cut short stays `received` until
a replica replays it."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

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

    async def first_time(self, event_id: str, team_id: str = "", event_type: str = "",
                         body: str | None = None) -> bool:
        """True the first time an event id is seen (stored `received` with its body, when given),
        False for every retry of it."""
        if event_id in self._recent:
            return False
        try:
            async with self.db.session() as session:
                session.add(SlackSeenEvent(event_id=event_id[:64], team_id=team_id[:32], event_type=event_type[:64],
                                           seen_at=self.clock.now(), body=body,
                                           state="received" if body is not None else "done"))
        except IntegrityError:
            self._remember(event_id)
            return False
        self._remember(event_id)
        self._inserts += 1
        if self._inserts % PRUNE_EVERY == 0:
            await self.prune()
        return True

    async def done(self, event_id: str) -> None:
        """Handled: the body is no longer needed."""
        async with self.db.session() as session:
            await session.exec(update(SlackSeenEvent).where(col(SlackSeenEvent.event_id) == event_id[:64])
                               .values(state="done", body=None))

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
