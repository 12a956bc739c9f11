"""Rate limits as shared state. When a platform answers 429 with Retry-After, that workspace's calls
of that method (Slack) or to that conversation (Teams) pause for every send in this process at once,
and the pause is written to the database so other replicas honour it too (they look at most every
`refresh` seconds per key). A short pause is waited out; a long one is handed back as a transient
failure with its Retry-After, so the outbox defers the send instead of holding a worker."""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from sqlalchemy.exc import DBAPIError, IntegrityError

from bot.core.port import DeliveryError
from bot.metrics import rate_limited
from storage.db import Database
from storage.tables.pauses import PlatformPause

log = logging.getLogger(__name__)
Key = tuple[str, str]


class Pauses:
    def __init__(self, db: Database, *, refresh: float = 1.0, now: Callable[[], float] = time.time) -> None:
        self.db, self.refresh, self.now = db, refresh, now
        self._until: dict[Key, float] = {}     # pause end, epoch seconds
        self._looked: dict[Key, float] = {}    # when the database was last asked about the key

    async def remaining(self, workspace_id: str, key: str) -> float:
        """Seconds this call must still wait (0 when it may go now)."""
        at, pair = self.now(), (workspace_id, key)
        if at - self._looked.get(pair, float("-inf")) >= self.refresh:
            self._looked[pair] = at
            until = await self._stored(pair)
            if until is not None:
                self._until[pair] = max(self._until.get(pair, 0.0), until)
        left = self._until.get(pair, 0.0) - at
        if left <= 0:
            self._until.pop(pair, None)
        return max(left, 0.0)

    async def wait(self, workspace_id: str, key: str, max_wait: float) -> float:
        """Waits out a pause up to `max_wait` seconds; longer ones raise a transient DeliveryError."""
        left = await self.remaining(workspace_id, key)
        if left <= 0:
            return 0.0
        if left > max_wait:
            raise DeliveryError(f"rate limited: {key} paused for {left:.0f} s", permanent=False, retry_after=left)
        rate_limited(workspace_id, "waited", left)
        await asyncio.sleep(left)
        return left

    async def pause(self, workspace_id: str, key: str, seconds: float) -> None:
        pair, until = (workspace_id, key), self.now() + max(seconds, 0.0)
        self._until[pair] = max(self._until.get(pair, 0.0), until)
        rate_limited(workspace_id, "throttled")
        log.warning("%s in %s rate limited: paused %.1f s for every sender", key, workspace_id, seconds)
        stamp = datetime.fromtimestamp(self._until[pair], timezone.utc)
        for _ in range(2):
            try:
                async with self.db.session() as session:
                    row = await session.get(PlatformPause, pair)
                    if row is None:
                        session.add(PlatformPause(workspace_id=workspace_id, key=key[:200], until=stamp))
                    elif row.until < stamp:
                        row.until = stamp
                        session.add(row)
                return
            except IntegrityError:  # another replica wrote it first: try once more as an update
                continue
            except (DBAPIError, OSError) as exc:  # the pause still holds in this process
                log.warning("rate-limit pause not shared with other replicas: %s", type(exc).__name__)
                return

    async def _stored(self, pair: Key) -> float | None:
        try:
            async with self.db.session() as session:
                row = await session.get(PlatformPause, pair)
        except (DBAPIError, OSError):
            return None
        if row is None:
            return None
        if row.until < datetime.now(timezone.utc) - timedelta(hours=1):
            return None
        return row.until.timestamp()
