"""One audited build per workspace, reused by every console page, filter and download until the data
changes. A build audits the whole workspace (seconds at a thousand leaders) and is then kept out of
the cycle collector's walks (a full walk over it paused pages for seconds); reading a data version
(counts, largest ids and latest edit times of the tables the figures come from) is one query, so a
page costs the query plus its view. The build runs in a worker thread so the server keeps answering."""
from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections import OrderedDict
from datetime import date
from typing import Any

from sqlalchemy import case, func, select
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
_built: OrderedDict[tuple[str, Thresholds, date], tuple[Version, Insights]] = OrderedDict()
_locks: dict[tuple[int, str], asyncio.Lock] = {}


async def data_version(session: AsyncSession, workspace_id: str) -> Version:
    """Changes whenever a figure could: a row added, removed, sent, posted or edited, or an HR change
    (departments, actions and erasures are audited)."""
    def of(table: Any, *columns: Any) -> list[Any]:
        where = col(table.workspace_id) == workspace_id
        return [select(column).where(where).scalar_subquery() for column in columns]

    probes = [
        *of(Nudge, func.count(col(Nudge.sent_at)), func.max(col(Nudge.sent_at)), func.max(col(Nudge.id))),
        *of(Share, func.count(col(Share.posted_at)), func.max(col(Share.posted_at)), func.count(), func.max(col(Share.id))),
        *of(Reply, func.count(), func.max(col(Reply.id)), func.max(col(Reply.updated_at))),
        *of(Team, func.count(), func.max(col(Team.id))),
        *of(Campaign, func.count(), func.max(col(Campaign.id))),
        *of(Pause, func.count(), func.max(col(Pause.id))),
        *of(BarrierAction, func.count(), func.max(col(BarrierAction.id))),
        *of(PrivateNote, func.count()),
        *of(AuditEntry, func.max(col(AuditEntry.id))),
        *of(Person, func.count(), func.sum(case((col(Person.analysis_opted_out), 1), else_=0))),  # opting out clears themes
    ]
    return tuple((await (await session.connection()).execute(select(*probes))).one())


async def cached_insights(session: AsyncSession, workspace_id: str, thresholds: Thresholds,
                          today: date | None = None) -> Insights:
    """The workspace's audited figures, built again only when its data version moved."""
    key = (workspace_id, thresholds, today or today_utc())
    lock = _locks.setdefault((id(asyncio.get_running_loop()), workspace_id), asyncio.Lock())
    async with lock:  # two pages opened at once wait for one build
        version = await data_version(session, workspace_id)
        found = _built.get(key)
        if found is not None and found[0] == version:
            _built.move_to_end(key)
            return found[1]
        started = time.perf_counter()
        facts = await load_facts(session, workspace_id, key[2])
        loaded = time.perf_counter()
        insights = await asyncio.to_thread(Insights.of, facts, thresholds)
        gc.freeze()  # millions of sets with no cycles: the collector need not walk them again and again
        log.info("insights: built %s in %.1f s (loading %.1f s); data version %s", workspace_id,
                 time.perf_counter() - started, loaded - started, version)
        _built[key] = (version, insights)
        _built.move_to_end(key)
        while len(_built) > KEEP:
            _built.popitem(last=False)
        return insights


def forget() -> None:
    """Drops every build (tests that change data behind the version's back)."""
    _built.clear()
