"""One audited build per workspace, reused by every console page, filter and download until the data
changes. A build audits the whole workspace (seconds at a thousand leaders) and is then kept out of
the cycle collector's walks (a full walk over it paused pages for seconds); reading a data version
(counts, largest ids and latest edit times of the tables the figures come from) is one query, so a
page costs the query plus its view. The build runs in a worker thread so the server keeps answering.

Stale while revalidating: the version has a privacy part (people, opt-outs of analysis, teams and
departments, HR actions, and the audit log, which every erasure, department and action writes to)
and a content part (nudges, shares, replies, campaigns, pauses, private notes). When only the content
moved, the previous build is served at once, marked `refreshing`, and one background build per
workspace makes the next one. A privacy change, a new day or no previous build builds before
answering, as before: figures are never served from before someone opted out or was erased."""
from __future__ import annotations

import asyncio
import copy
import gc
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
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
Version = tuple[Any, ...]
Key = tuple[str, str, Thresholds, date]  # (database, workspace, thresholds, day)
Loop = tuple[int, str]  # (event loop, workspace): a lock or a task belongs to one loop


@dataclass(frozen=True)
class DataVersion:
    privacy: Version  # moved: never serve the previous build
    content: Version  # moved alone: serve the previous build while a newer one is made


@dataclass
class _Entry:
    version: DataVersion
    insights: Insights
    stale: Insights | None = None  # the same build marked `refreshing`, made once

    def refreshing(self) -> Insights:
        if self.stale is None:
            self.stale = copy.copy(self.insights)  # shares the build and its computed views
            object.__setattr__(self.stale, "refreshing", True)
        return self.stale


_built: OrderedDict[Key, _Entry] = OrderedDict()
_locks: dict[Loop, asyncio.Lock] = {}
_rebuilds: dict[Loop, asyncio.Task[None]] = {}  # held here so a running build is not garbage-collected


def _database(session: AsyncSession) -> str:
    """Which database a build came from: two databases may hold the same workspace (tests, a copy)."""
    bind = session.bind
    return bind.sync_engine.url.render_as_string(hide_password=True) if bind is not None else ""


async def data_version(session: AsyncSession, workspace_id: str) -> DataVersion:
    """Changes whenever a figure could: a row added, removed, sent, posted or edited, or an HR change
    (departments, actions and erasures are audited)."""
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
        *of(Nudge, func.count(col(Nudge.sent_at)), func.max(col(Nudge.sent_at)), func.max(col(Nudge.id))),
        *of(Share, func.count(col(Share.posted_at)), func.max(col(Share.posted_at)), func.count(), func.max(col(Share.id))),
        *of(Reply, func.count(), func.max(col(Reply.id)), func.max(col(Reply.updated_at))),
        *of(Campaign, func.count(), func.max(col(Campaign.id))),
        *of(Pause, func.count(), func.max(col(Pause.id))),
        *of(PrivateNote, func.count()),
    ]
    row = tuple((await (await session.connection()).execute(select(*privacy, *content))).one())
    return DataVersion(row[:len(privacy)], row[len(privacy):])


async def _build(session: AsyncSession, key: Key) -> tuple[DataVersion, Insights]:
    _, workspace_id, thresholds, today = key
    started = time.perf_counter()
    as_of = datetime.now(timezone.utc)
    version = await data_version(session, workspace_id)  # read before the facts: never newer than them
    facts = await load_facts(session, workspace_id, today)
    loaded = time.perf_counter()
    insights = await asyncio.to_thread(Insights.of, facts, thresholds, as_of)
    gc.freeze()  # millions of sets with no cycles: the collector need not walk them again and again
    log.info("insights: built %s in %.1f s (loading %.1f s); data version %s", workspace_id,
             time.perf_counter() - started, loaded - started, version)
    return version, insights


def _keep(key: Key, version: DataVersion, insights: Insights) -> None:
    found = _built.get(key)
    if found is not None and found.insights.as_of > insights.as_of:
        return  # a build that read the data later got here first (say, after an opt-out)
    _built[key] = _Entry(version, insights)
    _built.move_to_end(key)
    while len(_built) > KEEP:
        _built.popitem(last=False)


async def _rebuild(engine: AsyncEngine, key: Key) -> None:
    try:
        async with AsyncSession(engine, expire_on_commit=False) as session:
            version, insights = await _build(session, key)
        _keep(key, version, insights)
    except Exception:
        log.exception("insights: background build of %s failed; the next page tries again", key[1])


def _start_rebuild(session: AsyncSession, key: Key, loop: Loop) -> bool:
    """Starts one background build for the workspace unless one is running. False when it cannot
    (the session is not bound to an engine), so the caller builds before answering."""
    running = _rebuilds.get(loop)
    if running is not None and not running.done():
        return True
    if not isinstance(session.bind, AsyncEngine):
        return False
    task = asyncio.get_running_loop().create_task(_rebuild(session.bind, key), name=f"insights-rebuild-{key[1]}")
    _rebuilds[loop] = task
    task.add_done_callback(lambda done: _rebuilds.pop(loop, None) if _rebuilds.get(loop) is done else None)
    return True


async def cached_insights(session: AsyncSession, workspace_id: str, thresholds: Thresholds,
                          today: date | None = None) -> Insights:
    """The workspace's audited figures. Built again before answering when there is none for today
    or the privacy part of its data version moved; when only the content moved, the previous build
    comes back at once, marked `refreshing`, while one background build makes the next."""
    key = (_database(session), workspace_id, thresholds, today or today_utc())
    loop = (id(asyncio.get_running_loop()), workspace_id)
    lock = _locks.setdefault(loop, asyncio.Lock())
    async with lock:  # two pages opened at once wait for one build
        version = await data_version(session, workspace_id)
        found = _built.get(key)
        if found is not None and found.version.privacy == version.privacy:
            _built.move_to_end(key)
            if found.version.content == version.content:
                return found.insights
            if _start_rebuild(session, key, loop):
                return found.refreshing()
        built, insights = await _build(session, key)
        _keep(key, built, insights)
        return insights


async def settled(workspace_id: str) -> None:
    """Waits for the workspace's background build, if one is running (tests, benchmarks)."""
    running = _rebuilds.get((id(asyncio.get_running_loop()), workspace_id))
    if running is not None:
        await asyncio.shield(running)


def forget() -> None:
    """Drops every build (tests that change data behind the version's back)."""
    _built.clear()
    _rebuilds.clear()
