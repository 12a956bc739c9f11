"""A new workspace's first events arrive together (a team installs, everyone says hi): every one of
them is answered, the workspace is created once, and nothing is logged as a database failure."""
from __future__ import annotations

import asyncio
import logging

import pytest
from sqlmodel import select

from bot.core import events
from bot.runtime import Runtime
from storage.db import Database
from storage.repositories.people import ensure_person, ensure_workspace
from storage.tables import Person, Workspace
from tests.support.recording import RecordingPlatform

NEW = "local:brand-new"
AT_ONCE = 12


async def test_concurrent_first_contact_creates_the_workspace_once(migrated_db: Database) -> None:
    async def first_event(n: int) -> None:
        async with migrated_db.session() as session:
            await ensure_person(session, NEW, f"U{n}", f"Person {n}")

    results = await asyncio.gather(*(first_event(n) for n in range(AT_ONCE)), return_exceptions=True)
    assert [r for r in results if r is not None] == []
    async with migrated_db.session() as session:
        assert [w.id for w in (await session.exec(select(Workspace))).all()] == [NEW]
        assert len((await session.exec(select(Person))).all()) == AT_ONCE
        again = await ensure_workspace(session, NEW, "a later name")
        assert again.name == ""  # the first one stands


async def test_concurrent_first_commands_are_all_answered(runtime: Runtime, platform: RecordingPlatform,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    outcomes = await asyncio.gather(*(runtime.engine.handle(events.CommandReceived(NEW, f"U{n}", "help"))
                                      for n in range(AT_ONCE)))
    assert [o.error for o in outcomes] == [None] * AT_ONCE
    assert sorted(d.target for d in platform.deliveries if d.kind == "dm") == sorted(f"U{n}" for n in range(AT_ONCE))
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], [r.getMessage() for r in caplog.records]
