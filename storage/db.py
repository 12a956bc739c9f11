"""The async engine and sessions: one `Database` per process, shared by every edge."""
from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession


AFTER_COMMIT = "gofirst.after_commit"


def after_commit(session: AsyncSession | Session, action: Callable[[], Awaitable[object]]) -> None:
    """Runs `action` once the session's work is committed: a message that points at a row
    (a preview's Post button, say) must not reach a person before the row exists for everyone."""
    session.info.setdefault(AFTER_COMMIT, []).append(action)


class DatabaseUnavailable(RuntimeError):
    """The database could not be reached; the message names the URL with its password hidden."""


def redact_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL holds nothing we can safely show
        return "<unparsable database URL>"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _enable_sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def create_engine(url: str) -> AsyncEngine:
    """An engine for SQLite (the folder is made on demand) or PostgreSQL."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 10})
        event.listen(engine.sync_engine, "connect", _enable_sqlite_foreign_keys)
        return engine
    return create_async_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_engine(url)
        self._sessions = async_sessionmaker(self.engine, class_=AsyncSession, expire_on_commit=False)

    @property
    def safe_url(self) -> str:
        return redact_url(self.url)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session that commits on success and rolls back on any error. Once it is closed (its
        connection back in the pool, no transaction open) it runs, in order, what was registered
        with `after_commit`: every one of them, even when an earlier one fails; the first failure
        is raised afterwards."""
        async with self._sessions() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                session.info.pop(AFTER_COMMIT, None)
                await session.rollback()
                raise
            actions = session.info.pop(AFTER_COMMIT, [])
        first: BaseException | None = None
        for action in actions:
            try:
                await action()
            except Exception as exc:
                first = first or exc
        if first is not None:
            raise first

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    async def require(self) -> None:
        """Fail with one line naming the (redacted) URL when the database cannot be reached."""
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise DatabaseUnavailable(f"cannot reach the database at {self.safe_url}: {reason}") from exc

    async def dispose(self) -> None:
        await self.engine.dispose()
