"""Slack retries an event up to three times when an ack is slow; bolt doesn't de-duplicate. The
`event_id` is written once to the database, so a retry is acknowledged and not processed again,
even when it lands on another process or after a restart."""
from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

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

    async def first_time(self, event_id: str, team_id: str = "", event_type: str = "") -> bool:
        """True the first time an event id is seen, False for every retry of it."""
        if event_id in self._recent:
            return False
        try:
            async with self.db.session() as session:
                session.add(SlackSeenEvent(event_id=event_id[:64], team_id=team_id[:32], event_type=event_type[:64],
                                           seen_at=self.clock.now()))
        except IntegrityError:
            self._remember(event_id)
            return False
        self._remember(event_id)
        self._inserts += 1
        if self._inserts % PRUNE_EVERY == 0:
            await self.prune()
        return True

    def _remember(self, event_id: str) -> None:
        self._recent[event_id] = None
        if len(self._recent) > 10_000:
            self._recent.pop(next(iter(self._recent)))

    async def prune(self) -> int:
        async with self.db.session() as session:
            result = await session.exec(delete(SlackSeenEvent).where(
                col(SlackSeenEvent.seen_at) < self.clock.now() - KEEP))
            return int(result.rowcount or 0)
