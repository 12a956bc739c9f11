"""Acks first: events arriving together are stored together (one statement) yet each is handled
once, a retry racing its first delivery included; work after an ack waits while other requests
are still waiting for theirs, and a long stream of acks can't hold it back past its backlog."""
from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import event
from sqlmodel import select

from adapters.slack.ackfirst import AckFirst
from storage.tables.slack import SlackSeenEvent
from tests.slack.conftest import LEADER, Live, Seeded
from tests.slack.test_edge import DM_STREAK


async def test_a_retry_arriving_with_its_first_delivery_is_handled_once(live: Live, seeded: Seeded) -> None:
    answers = await asyncio.gather(live.event(DM_STREAK, event_id="Ev0RACE01"),
                                   live.event(DM_STREAK, event_id="Ev0RACE01", retry=1),
                                   live.event({**DM_STREAK, "ts": "1764000400.000002"}, event_id="Ev0RACE02"))
    assert [status for status, _ in answers] == [200, 200, 200]
    await live.settle()
    assert len(live.dms_to(LEADER)) == 2  # one answer to each event, none to the retry
    async with live.runtime.db.session() as session:
        rows = (await session.exec(select(SlackSeenEvent))).all()
    assert sorted(r.event_id for r in rows) == ["Ev0RACE01", "Ev0RACE02"]


async def test_events_arriving_together_are_stored_in_one_statement(live: Live) -> None:
    inserts: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.startswith("INSERT INTO slack_seen_event"):
            inserts.append(statement)

    event.listen(live.runtime.db.engine.sync_engine, "before_cursor_execute", seen)
    try:
        firsts = await asyncio.gather(*(live.edge.seen.first_time(f"Ev0BATCH{n % 40:02d}") for n in range(50)))
    finally:
        event.remove(live.runtime.db.engine.sync_engine, "before_cursor_execute", seen)
    assert firsts == [True] * 40 + [False] * 10  # the last ten repeat ids earlier in the same batch
    assert len(inserts) == 1


async def test_work_waits_while_an_ack_is_in_progress() -> None:
    gate = AckFirst(slots=4, backlog=10, quiet=0.0, longest=3600)
    started = asyncio.Event()

    async def work() -> None:
        async with gate.work():
            started.set()

    with gate.ack():
        task = asyncio.ensure_future(work())
        for _ in range(5):
            await asyncio.sleep(0)
        assert not started.is_set()
    await asyncio.wait_for(started.wait(), 10)  # a bound, not a timing: it starts once the ack is out
    await task


async def test_work_past_its_backlog_starts_even_while_acks_keep_coming() -> None:
    gate = AckFirst(slots=1, backlog=2, quiet=0.0, longest=3600)
    done: list[int] = []
    release = asyncio.Event()

    async def work(n: int) -> None:
        async with gate.work():
            done.append(n)
            await release.wait()

    with gate.ack():
        tasks = [asyncio.ensure_future(work(n)) for n in range(3)]
        for _ in range(5):
            await asyncio.sleep(0)
        assert done == [0]  # the third in line pushed the oldest past the backlog; one slot
        release.set()
        for _ in range(5):
            await asyncio.sleep(0)
        assert done == [0]  # two wait again, within the backlog, while the ack is in progress
    await asyncio.wait_for(asyncio.gather(*tasks), 10)
    assert done == [0, 1, 2]
