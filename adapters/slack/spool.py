"""The local spool: when the database can't take an event within the ack budget, its verified body
is appended to a small SQLite file beside the server (fsynced: synchronous=FULL) and Slack gets its
200; once the database is back, the spool is replayed in arrival order and emptied. Nothing acked is
lost, even across a restart of this process."""
from __future__ import annotations

import asyncio
import hashlib
import os
import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url


def spool_path(database_url: str) -> Path:
    """GOFIRST_SPOOL_PATH, else beside a SQLite database, else under ./data keyed by the database."""
    if os.environ.get("GOFIRST_SPOOL_PATH"):
        return Path(os.environ["GOFIRST_SPOOL_PATH"])
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database + ".slack-spool")
    return Path("data") / f"slack-spool-{hashlib.sha256(database_url.encode()).hexdigest()[:12]}.db"


class Spool:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = asyncio.Lock()

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path)
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("CREATE TABLE IF NOT EXISTS spooled (n INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL)")
        return conn

    def _append(self, body: str) -> None:
        with self._connect() as conn:
            conn.execute("INSERT INTO spooled (body) VALUES (?)", (body,))
        conn.close()

    def _oldest(self, limit: int) -> list[tuple[int, str]]:
        if not self.path.exists():
            return []
        with self._connect() as conn:
            rows = conn.execute("SELECT n, body FROM spooled ORDER BY n LIMIT ?", (limit,)).fetchall()
        conn.close()
        return [(int(n), str(body)) for n, body in rows]

    def _forget(self, n: int) -> None:
        with self._connect() as conn:
            conn.execute("DELETE FROM spooled WHERE n = ?", (n,))
        conn.close()

    async def append(self, body: str) -> None:
        async with self._lock:  # one writer at a time; the file work runs off the event loop
            await asyncio.to_thread(self._append, body)

    async def oldest(self, limit: int = 100) -> list[tuple[int, str]]:
        async with self._lock:
            return await asyncio.to_thread(self._oldest, limit)

    async def forget(self, n: int) -> None:
        async with self._lock:
            await asyncio.to_thread(self._forget, n)
