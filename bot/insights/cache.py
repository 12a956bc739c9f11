"""One audited build per workspace, reused by every console page, filter and download until the data
changes. A build audits the whole workspace (seconds at a thousand leaders) and is then kept out of
the cycle collector's walks (a full walk over it paused pages for seconds); reading a data version
(counts, largest ids and latest edit times of the tables the figures come from) is one query, so a
page costs the query plus its view. The build runs in a worker thread so the server keeps answering.

Stale while revalidating: the version has a privacy part (people, opt-outs of analysis, teams and
departments, HR actions, and the audit log, which every erasure, department and action writes to)
and a content part (nudges, shares, replies, campaigns, pauses, private notes). When only the content
moved, or the day changed, the previous build is served at once, marked `refreshing`, and one
background build per workspace makes the next one. When the privacy part moved, or there is no build
yet, nothing built before is served: the page waits up to PATIENCE for the background build and
then raises Preparing (the console says the figures are being prepared), so figures from before
someone opted out or was erased are never shown, and a build of minutes never holds a page."""
from __future__ import annotations

import asyncio
import copy
import gc
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.insights.load import load_facts
from bot.insights.model import Thresholds
from bot.insights.service import today_utc
from bot.insights.views import Insights
from storage.tables import AuditEntry, Campaign, Nudge, Pause, Person, Reply, Share, Team
from storage.tables.insights import BarrierAction
from storage.tables.loop import PrivateNote

log = logging.getLogger(__name__)
KEEP = 2  # workspaces kept built at once: a large one holds a few hundred MB
PATIENCE = 2.0  # seconds a page waits for a build before answering that figures are being prepared
RECOUNT = 60.0  # seconds between background recounts of a served build's rows (the slow part of its version)
Version = tuple[Any, ...]
Key = tuple[str, str, Thresholds, date]  # (database, workspace, thresholds, day)
Loop = tuple[int, str]  # (event loop, workspace): a lock or a task belongs to one loop


class Preparing(Exception):
    """No build may be shown yet (none since start, or people left the figures since the last one);
    one is being made. `expected` is how long the workspace's last build took, in seconds, if known."""

    def __init__(self, workspace_id: str, expected: float | None) -> None:
        super().__init__(f"insights of {workspace_id} are being prepared")
        self.expected = expected


@dataclass(frozen=True)
class DataVersion:
    privacy: Version  # moved: never serve the previous build
    content: Version  # moved alone: serve the previous build while a newer one is made
    counts: Version = ()  # rows per table (a deletion below the largest id): read in the background only


@dataclass
class _Entry:
    version: DataVersion
    insights: Insights
    stale: Insights | None = None  # the same build marked `refreshing`, made once
    checked: float = field(default_factory=time.monotonic)  # when its row counts were last found unchanged

    def refreshing(self) -> Insights:
        if self.stale is None:
            self.stale = copy.copy(self.insights)  # shares the build and its computed views
            object.__setattr__(self.stale, "refreshing", True)
        return self.stale


_built: OrderedDict[Key, _Entry] = OrderedDict()
_locks: dict[Loop, asyncio.Lock] = {}
_rebuilds: dict[Loop, asyncio.Task[None]] = {}  # held here so a running build is not garbage-collected
_took: dict[tuple[str, str, Thresholds], float] = {}  # seconds the last build of a workspace took


def _database(session: AsyncSession) -> str:
    """Which database a build came from: two databases may hold the same workspace (tests, a copy)."""
    bind = session.bind
    return bind.sync_engine.url.render_as_string(hide_password=True) if bind is not None else ""


async def data_version(session: AsyncSession, workspace_id: str, counted: bool = False) -> DataVersion:
    """Changes whenever a figure could: a row added, sent, posted, edited or removed, or an HR change
    (departments, actions and erasures are audited). Every page reads the privacy and content parts,
    each a lookup in an index; `counted` adds the row counts, index scans of every reply and share
    (400 ms at 1,000,000 replies), which only builds and background recounts read."""
    def of(table: Any, *columns: Any) -> list[Any]:
        where = col(table.workspace_id) == workspace_id
        return [select(column).where(where).scalar_subquery() for column in columns]

    privacy = [
        *of(Person, func.count(), func.sum(case((col(Person.analysis_opted_out), 1), else_=0))),  # opting out clears themes
        *of(AuditEntry, func.max(col(AuditEntry.id))),  # erasures, departments, actions
        *of(BarrierAction, func.count(), func.max(col(BarrierAction.id))),
        *of(Team, func.count(), func.max(col(Team.id))),
    ]
    content = [
        *of(Nudge, func.max(col(Nudge.sent_at)), func.max(col(Nudge.id))),
        *of(Share, func.max(col(Share.posted_at)), func.max(col(Share.id))),
        *of(Reply, func.max(col(Reply.id)), func.max(col(Reply.updated_at))),
        *of(Campaign, func.count(), func.max(col(Campaign.id))),
        *of(Pause, func.count(), func.max(col(Pause.id))),
    ]
    counts = [
        *of(Nudge, func.count(col(Nudge.sent_at))), *of(Share, func.count(col(Share.posted_at)), func.count()),
        *of(Reply, func.count()), *of(PrivateNote, func.count()),  # a note's key is random: only its count moves
    ] if counted else []
    row = tuple((await (await session.connection()).execute(select(*privacy, *content, *counts))).one())
    return DataVersion(row[:len(privacy)], row[len(privacy):len(privacy) + len(content)], row[len(privacy) + len(content):])


async def _build(session: AsyncSession, key: Key) -> tuple[DataVersion, Insights]:
    _, workspace_id, thresholds, today = key
    started = time.perf_counter()
    as_of = datetime.now(timezone.utc)
    version = await data_version(session, workspace_id, counted=True)  # read before the facts: never newer
    facts = await load_facts(session, workspace_id, today)
    loaded = time.perf_counter()
    insights = await asyncio.to_thread(Insights.of, facts, thresholds, as_of)
    gc.freeze()  # millions of sets with no cycles: the collector need not walk them again and again
    _took[key[:3]] = time.perf_counter() - started
    log.info("insights: built %s in %.1f s (loading %.1f s); data version %s", workspace_id,
             time.perf_counter() - started, loaded - started, version)
    return version, insights


def _keep(key: Key, version: DataVersion, insights: Insights) -> None:
    found = _built.get(key)
    if found is not None and found.insights.as_of > insights.as_of:
        return  # a build that read the data later got here first (say, after an opt-out)
    for older in [k for k in _built if k[:3] == key[:3] and k[3] < key[3]]:
        del _built[older]  # yesterday's build of the workspace: served only until today's is ready
    _built[key] = _Entry(version, insights)
    _built.move_to_end(key)
    while len(_built) > KEEP:
        _built.popitem(last=False)


async def _unchanged(engine: AsyncEngine, key: Key) -> bool:
    """Whether every part of the data version, row counts too, is still the kept build's."""
    async with AsyncSession(engine) as session:
        now = await data_version(session, key[1], counted=True)
    kept = _built.get(key)
    if kept is None or kept.version != now:
        return False
    kept.checked = time.monotonic()
    return True


async def _rebuild(engine: AsyncEngine, key: Key, recount: bool) -> None:
    """Builds and keeps the workspace's figures (with `recount`, only when the row counts moved);
    again when people left the figures while it read (its build may then be shown to no one)."""
    try:
        if recount and await _unchanged(engine, key):
            return
        while True:
            async with AsyncSession(engine, expire_on_commit=False) as session:
                version, insights = await _build(session, key)
            _keep(key, version, insights)
            async with AsyncSession(engine) as session:
                if (await data_version(session, key[1])).privacy == version.privacy:
                    return
    except Exception:
        log.exception("insights: background build of %s failed; the next page tries again", key[1])


def _start_rebuild(session: AsyncSession, key: Key, loop: Loop, recount: bool = False
                   ) -> asyncio.Task[None] | None:
    """The workspace's background build, started unless one is running. None when it cannot be
    (the session is not bound to an engine), so the caller builds before answering."""
    running = _rebuilds.get(loop)
    if running is not None and not running.done():
        return running
    if not isinstance(session.bind, AsyncEngine):
        return None
    task = asyncio.get_running_loop().create_task(_rebuild(session.bind, key, recount), name=f"insights-rebuild-{key[1]}")
    _rebuilds[loop] = task
    task.add_done_callback(lambda done: _rebuilds.pop(loop, None) if _rebuilds.get(loop) is done else None)
    return task


def _shown(key: Key, version: DataVersion) -> _Entry | None:
    """The build that may answer: this day's, else an earlier day's, with the same privacy version."""
    for found in (_built.get(key), *(e for k, e in reversed(_built.items()) if k[:3] == key[:3] and k[3] < key[3])):
        if found is not None and found.version.privacy == version.privacy:
            return found
    return None


async def _answer(session: AsyncSession, key: Key, loop: Loop, version: DataVersion) -> Insights | asyncio.Task[None]:
    """A build to show now, or the background build to wait for when none may be shown."""
    found = _shown(key, version)
    if found is not None and found is _built.get(key) and found.version.content == version.content:
        _built.move_to_end(key)
        if time.monotonic() - found.checked > RECOUNT:
            _start_rebuild(session, key, loop, recount=True)  # recounts the rows in the background; builds if they moved
        return found.insights
    task = _start_rebuild(session, key, loop)
    if task is not None:
        return task if found is None else found.refreshing()
    built, insights = await _build(session, key)
    _keep(key, built, insights)
    return insights


async def cached_insights(session: AsyncSession, workspace_id: str, thresholds: Thresholds,
                          today: date | None = None) -> Insights:
    """The workspace's audited figures. When only the content moved or the day changed, the previous
    build comes back at once, marked `refreshing`, while one background build makes the next. When
    none may be shown (none yet, or the privacy part of the data version moved), the background
    build is waited for up to PATIENCE, then Preparing is raised."""
    key = (_database(session), workspace_id, thresholds, today or today_utc())
    loop = (id(asyncio.get_running_loop()), workspace_id)
    lock = _locks.setdefault(loop, asyncio.Lock())
    async with lock:  # two pages opened at once start one build
        version = await data_version(session, workspace_id)
        answer = await _answer(session, key, loop, version)
    if isinstance(answer, Insights):
        return answer
    await asyncio.wait([answer], timeout=PATIENCE)
    found = _built.get(key)
    if found is not None and found.version.privacy == version.privacy:
        return found.insights  # built after this page read the version: at least as new
    raise Preparing(workspace_id, _took.get(key[:3]))


async def settled(workspace_id: str) -> None:
    """Waits for the workspace's background build, if one is running (tests, benchmarks)."""
    running = _rebuilds.get((id(asyncio.get_running_loop()), workspace_id))
    if running is not None:
        await asyncio.shield(running)


def forget() -> None:
    """Drops every build (tests that change data behind the version's back)."""
    _built.clear()
    _rebuilds.clear()
    _took.clear()
