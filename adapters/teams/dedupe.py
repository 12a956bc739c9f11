"""Teams delivers an activity again when the bot answered slowly or not at all, possibly to another
replica. The first replica to insert the activity's key in `teams_seen_activity` handles it; every
other delivery hits the primary key and is dropped, across processes and restarts."""
from __future__ import annotations

import logging
from datetime import timedelta

from botbuilder.schema import Activity
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from adapters.teams.activities import split_thread
from bot.clock import Clock
from storage.db import Database
from storage.tables.teams import TeamsSeenActivity

log = logging.getLogger(__name__)
KEEP = timedelta(days=1)  # Teams gives up redelivering within minutes
PRUNE_EVERY = 500
REUSED_IDS = ("messageUpdate", "messageDelete")  # these carry the id of the message they change


def activity_key(activity: Activity) -> tuple[str, str, str] | None:
    """(base conversation id, type, id), or None for an activity without an id or conversation.
    An edit or deletion is told apart from the next one of the same message by its timestamp."""
    if not activity.id or activity.conversation is None or not activity.conversation.id:
        return None
    base, _ = split_thread(activity.conversation.id)
    kind = activity.type or ""
    activity_id = activity.id
    if kind in REUSED_IDS and activity.timestamp is not None:
        activity_id = f"{activity_id}@{activity.timestamp.isoformat()}"
    return base[:300], kind[:40], activity_id[:200]


class SeenActivities:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db, self.clock = db, clock
        self._inserts = 0

    async def first_time(self, activity: Activity) -> bool:
        """True for the first delivery of an activity (and for any activity without an id)."""
        key = activity_key(activity)
        if key is None:
            return True
        conversation_id, activity_type, activity_id = key
        try:
            async with self.db.session() as session:
                session.add(TeamsSeenActivity(conversation_id=conversation_id, activity_type=activity_type,
                                              activity_id=activity_id, seen_at=self.clock.now()))
        except IntegrityError:
            log.info("Teams %s activity %s delivered again: ignored", activity_type, activity_id)
            return False
        self._inserts += 1
        if self._inserts % PRUNE_EVERY == 0:
            await self.prune()
        return True

    async def prune(self) -> int:
        """Forgets activities older than KEEP; returns how many."""
        async with self.db.session() as session:
            result = await session.exec(delete(TeamsSeenActivity).where(
                col(TeamsSeenActivity.seen_at) < self.clock.now() - KEEP))
            return int(result.rowcount or 0)
