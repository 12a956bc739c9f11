"""Many people meeting GoFirst at once: each first event asks Slack for a profile, and none of
them may hold a pooled connection while it waits (the engine once held one while the platform
opened a second: ~10 concurrent newcomers exhausted the pool and the rest were silently lost)."""
from __future__ import annotations

import asyncio
from collections import Counter

from sqlmodel import func, select

from storage.tables import Person
from tests.slack.conftest import Live, Seeded

NEWCOMERS = [f"U1{n:04d}" for n in range(50)]


async def test_fifty_first_contacts_at_once_are_all_answered(live: Live, seeded: Seeded) -> None:
    for user in NEWCOMERS:
        live.double.users[user] = {"name": f"Person {user}", "tz": "Europe/Berlin"}
    live.double.delay = 0.3  # Slack answers each call in 300 ms: plenty of time to pile up

    statuses = await asyncio.gather(*[
        live.event({"type": "message", "channel": "D" + user[1:], "channel_type": "im", "user": user,
                    "text": "help", "ts": f"1764000400.{n:06d}"}) for n, user in enumerate(NEWCOMERS)])
    assert [status for status, _ in statuses] == [200] * 50
    await live.settle()

    answered = Counter(c.args["channel"] for c in live.double.of("chat.postMessage"))
    assert {user: answered[user] for user in NEWCOMERS} == {user: 1 for user in NEWCOMERS}
    async with live.runtime.db.session() as session:
        stored = (await session.exec(select(func.count()).select_from(Person)
                                     .where(Person.platform_user_id.in_(NEWCOMERS)))).one()  # type: ignore[attr-defined]
        named = (await session.exec(select(Person.display_name).where(Person.platform_user_id == NEWCOMERS[7]))).one()
    assert stored == 50 and named == f"Person {NEWCOMERS[7]}"
