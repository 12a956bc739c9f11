"""Stale while revalidating, over the real cache and a real database (SQLite and PostgreSQL): a new
reply or a new day serves the previous build at once while one background build makes the next; an
opt-out of analysis or an erasure is never answered from the previous build, and while the new one
is being made the page is told so instead of waiting; a reply removed below the newest is found by
the background recount; a failed background build is logged and tried again by the next page."""
from __future__ import annotations

import asyncio
import logging
from datetime import date, timedelta
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlmodel import col, select

from bot.core.streaks import iso_week
from bot.insights import Insights, Thresholds
from bot.insights import cache
from bot.insights.cache import Preparing, cached_insights, settled
from bot.insights.suppression import Key
from bot.privacy import erase_person
from storage.db import Database
from storage.tables import Person, Reply, Share
from tests.insights.seed import TODAY, W, seed_pilot

REPLIES = Key("2026-W47", "workspace", W, "replies")


async def current(db: Database, today: date = TODAY) -> Insights:
    async with db.session() as session:
        return await cached_insights(session, W, Thresholds(5, 10), today)


async def opt_out_a_replier(db: Database) -> None:
    async with db.session() as session:
        person = (await session.exec(select(Person).join(Reply, col(Reply.author_id) == col(Person.id))
                                     .where(Person.workspace_id == W))).first()
        assert person is not None
        person.analysis_opted_out = True
        session.add(person)


async def add_reply(db: Database, message_id: str) -> None:
    async with db.session() as session:
        share = (await session.exec(select(Share).where(Share.week == "2026-W47"))).first()
        assert share is not None and share.id is not None
        author = (await session.exec(select(Reply.author_id).where(Reply.share_id == share.id,
                                                                  Reply.is_leader == False))).first()  # noqa: E712
        session.add(Reply(workspace_id=W, share_id=share.id, author_id=author, platform_message_id=message_id,
                          themes=["policy"]))


@pytest.fixture
async def built(migrated_db: Database) -> AsyncIterator[Insights]:
    cache.forget()
    await seed_pilot(migrated_db)
    first = await current(migrated_db)
    assert first.figure(REPLIES) == 100 and not first.refreshing
    yield first
    await settled(W)
    cache.forget()


class Gate:
    """Wraps the real build so a test can hold it until it says go, and count the builds."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.go = asyncio.Event()
        self.calls = 0
        real = cache._build

        async def held(session: Any, key: cache.Key) -> tuple[cache.DataVersion, Insights]:
            self.calls += 1
            await self.go.wait()
            return await real(session, key)
        monkeypatch.setattr(cache, "_build", held)


async def test_a_new_reply_serves_the_previous_build_until_the_new_one_is_ready(
        migrated_db: Database, built: Insights, monkeypatch: pytest.MonkeyPatch) -> None:
    gate = Gate(monkeypatch)
    await add_reply(migrated_db, "late-one")
    stale = await asyncio.wait_for(current(migrated_db), 5)  # the build is held: only a stale answer returns
    assert stale.refreshing and stale.figure(REPLIES) == 100 and stale.as_of == built.as_of
    assert stale.lattice is built.lattice and gate.calls == 1
    gate.go.set()
    await settled(W)
    fresh = await current(migrated_db)
    assert not fresh.refreshing and fresh.figure(REPLIES) == 101 and fresh.as_of > built.as_of
    assert await current(migrated_db) is fresh


@pytest.mark.parametrize("change", ["opt_out", "erase"])
async def test_an_opt_out_or_an_erasure_is_never_served_from_the_previous_build(
        migrated_db: Database, built: Insights, change: str) -> None:
    await add_reply(migrated_db, "late-one")
    assert (await current(migrated_db)).refreshing  # a rebuild is on its way with the reply ...
    async with migrated_db.session() as session:  # ... and then someone leaves the figures
        person = (await session.exec(select(Person).join(Reply, col(Reply.author_id) == col(Person.id))
                                     .where(Person.workspace_id == W))).first()
        assert person is not None
        if change == "opt_out":
            person.analysis_opted_out = True
            session.add(person)
        else:
            await erase_person(session, W, person.platform_user_id)
    after = await current(migrated_db)
    assert not after.refreshing and after.lattice is not built.lattice and after.as_of > built.as_of
    if change == "erase":
        assert (after.figure(REPLIES) or 0) < 101
    await settled(W)  # the background build read the data before the change: it must not replace this one
    assert await current(migrated_db) is after


async def test_two_pages_at_once_start_one_rebuild(
        migrated_db: Database, built: Insights, monkeypatch: pytest.MonkeyPatch) -> None:
    gate = Gate(monkeypatch)
    await add_reply(migrated_db, "late-one")
    first, second = await asyncio.wait_for(asyncio.gather(current(migrated_db), current(migrated_db)), 5)
    third = await asyncio.wait_for(current(migrated_db), 5)
    assert first.refreshing and second.refreshing and third.refreshing and gate.calls == 1
    gate.go.set()
    await settled(W)
    assert (await current(migrated_db)).figure(REPLIES) == 101 and gate.calls == 1


async def test_a_failed_background_build_is_logged_and_tried_again(
        migrated_db: Database, built: Insights, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    real = cache._build
    calls: list[int] = []

    async def broken(session: Any, key: cache.Key) -> tuple[cache.DataVersion, Insights]:
        calls.append(1)
        raise RuntimeError("disk on fire")
    monkeypatch.setattr(cache, "_build", broken)
    await add_reply(migrated_db, "late-one")
    with caplog.at_level(logging.ERROR, logger="bot.insights.cache"):
        assert (await current(migrated_db)).refreshing
        await settled(W)
    failure = [r for r in caplog.records if "background build" in r.getMessage()]
    assert failure and failure[0].exc_info is not None and "disk on fire" in str(failure[0].exc_info[1])
    monkeypatch.setattr(cache, "_build", real)
    assert (await current(migrated_db)).refreshing and calls == [1]  # the next page starts a new build
    await settled(W)
    fresh = await current(migrated_db)
    assert not fresh.refreshing and fresh.figure(REPLIES) == 101


async def test_after_an_opt_out_a_page_is_told_the_figures_are_being_prepared_instead_of_waiting(
        migrated_db: Database, built: Insights, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "PATIENCE", 0.0)
    gate = Gate(monkeypatch)
    await opt_out_a_replier(migrated_db)
    with pytest.raises(Preparing) as preparing:  # the build is held: nothing from before may be shown
        await asyncio.wait_for(current(migrated_db), 5)
    assert preparing.value.expected is not None and gate.calls == 1
    with pytest.raises(Preparing):
        await asyncio.wait_for(current(migrated_db), 5)
    assert gate.calls == 1  # the second page waits for the same build
    gate.go.set()
    await settled(W)
    after = await current(migrated_db)
    assert not after.refreshing and after.lattice is not built.lattice


async def test_a_new_day_serves_yesterdays_build_while_todays_is_made(
        migrated_db: Database, built: Insights, monkeypatch: pytest.MonkeyPatch) -> None:
    gate = Gate(monkeypatch)
    tomorrow = TODAY + timedelta(days=7)  # the next week: a new week in progress
    stale = await asyncio.wait_for(current(migrated_db, tomorrow), 5)
    assert stale.refreshing and stale.lattice is built.lattice and gate.calls == 1
    gate.go.set()
    await settled(W)
    fresh = await current(migrated_db, tomorrow)
    assert not fresh.refreshing and fresh.lattice is not built.lattice
    assert fresh.lattice.current_week == iso_week(tomorrow)


async def test_a_reply_removed_below_the_newest_is_found_by_the_background_recount(
        migrated_db: Database, built: Insights, monkeypatch: pytest.MonkeyPatch) -> None:
    async with migrated_db.session() as session:  # not the newest reply: the largest id stays
        share = (await session.exec(select(Share).where(Share.week == "2026-W47"))).first()
        assert share is not None
        oldest = (await session.exec(select(Reply).where(Reply.share_id == share.id, Reply.is_leader == False)  # noqa: E712
                                     .order_by(col(Reply.id)))).first()
        await session.delete(oldest)
    assert await current(migrated_db) is built  # within RECOUNT of its build: served as it is
    monkeypatch.setattr(cache, "RECOUNT", 0.0)
    assert await current(migrated_db) is built  # ... and a recount starts in the background
    await settled(W)
    assert (await current(migrated_db)).figure(REPLIES) == 99
