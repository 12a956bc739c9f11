"""Nothing acked is lost: PostgreSQL stops for 30 s while 30 team replies arrive in a share's
thread. Every one gets its 200 at once (Slack would never resend an acked event); afterwards all
30 are stored, each exactly once, even when Slack also retries some of them."""
from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator

import pytest
from sqlmodel import func, select

from bot.clock import FixedClock
from storage.db import Database
from storage.migrate import upgrade
from storage.tables import Reply
from tests.slack.conftest import LEADER, SAM, running, seed_workspace, settings_for
from tests.slack.double import BOT_TOKEN, SlackDouble
from tests.slack.test_loop import reply
from tests.slack.test_share_post_once import preview_post_button
from tests.slack.conftest import double  # noqa: F401  (fixture)
from tests.conftest import throwaway_postgres
from tests.support.postgres import ThrowawayPostgres

OUTAGE = float(os.environ.get("GOFIRST_OUTAGE_SECONDS", "30"))


@pytest.fixture
def own_postgres() -> Iterator[ThrowawayPostgres]:
    """A server of this test's own: stopping it must not disturb anything else."""
    yield from throwaway_postgres()


@pytest.mark.postgres
@pytest.mark.slow
async def test_replies_acked_while_postgres_is_down_are_all_stored_once(
        own_postgres: ThrowawayPostgres, clock: FixedClock, double: SlackDouble, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("GOFIRST_SPOOL_PATH", str(tmp_path / "spool.db"))
    url = own_postgres.create_database()
    db = Database(url)
    await upgrade(db)
    settings = settings_for(url, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_API_URL=double.url)
    try:
        async with running(settings, db, clock, double) as live:
            seeded = await seed_workspace(live)
            value = await preview_post_button(live, seeded)
            await live.click(LEADER, "share.post", value, "D0LEAD", "1.1")
            await live.settle()
            thread = str(double.history["C0TEAM"][-1]["ts"])

            await asyncio.to_thread(own_postgres.halt)
            down_at = time.monotonic()
            events = [(f"Ev{n:08d}", reply(f"1764000500.{n:06d}", SAM, f"barrier number {n}", thread))
                      for n in range(30)]
            acks = []
            for event_id, event in events:
                started = time.monotonic()
                status, _ = await live.event(event, event_id=event_id)
                acks.append((status, time.monotonic() - started))
            assert [status for status, _ in acks] == [200] * 30
            assert max(seconds for _, seconds in acks) < 3.0  # within Slack's ack budget
            await asyncio.sleep(max(0.0, OUTAGE - (time.monotonic() - down_at)))
            await asyncio.to_thread(own_postgres.resume)

            for event_id, event in events[:5]:  # Slack retries a few as well: still once each
                await live.event(event, event_id=event_id, retry=1)
            for _ in range(100):  # the replayer runs every second
                async with db.session() as session:
                    stored = (await session.exec(select(func.count()).select_from(Reply))).one()
                if stored >= 30:
                    break
                await asyncio.sleep(0.2)
            await live.settle()
        async with db.session() as session:
            texts = list((await session.exec(select(Reply.text))).all())
    finally:
        await db.dispose()
    assert sorted(texts) == sorted(f"barrier number {n}" for n in range(30))
