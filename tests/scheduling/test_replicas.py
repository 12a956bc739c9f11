"""Two real server processes on one PostgreSQL: kill -9 the active one while a nudge is in flight,
and every nudge still reaches its leader exactly once; a restart sends nothing again.
The platform double counts messages in this test process, outside the replicas."""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from sqlmodel import select

from bot.delivery.capability import marker_for
from storage.db import Database
from storage.migrate import upgrade
from storage.tables import Campaign, Nudge, Person, Workspace
from storage.tables.scheduling import CampaignSchedule, SchedulerLeader
from tests.support.postgres import ThrowawayPostgres, free_port

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
REPO = Path(__file__).resolve().parents[2]
LEADERS = [f"lead{n}" for n in range(40)]  # more than one claim batch (20): both replicas send


class CountingServer:
    """Records every DM; holds the reply to the first one, as if the sender died mid-request."""

    def __init__(self) -> None:
        self.sends: list[tuple[str | None, str, str]] = []  # (marker, user, sender pid)
        self.first_arrived = asyncio.Event()
        self.release = asyncio.Event()
        self.app = web.Application()
        self.app.router.add_post("/send", self.send)
        self.app.router.add_post("/find", self.find)

    async def send(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.sends.append((body["marker"], body["user"], request.headers.get("X-Replica", "")))
        message_id = f"M{len(self.sends)}"
        if len(self.sends) == 1:
            self.first_arrived.set()
            await self.release.wait()  # never answered while the sender lives
        return web.json_response({"message_id": message_id})

    async def find(self, request: web.Request) -> web.Response:
        marker = (await request.json())["marker"]
        found = [n for n, s in enumerate(self.sends, 1) if s[0] == marker]
        return web.json_response({"message_id": f"M{found[0]}" if found else None})


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float, what: str) -> float:
    """Polls a condition until it holds; fails after `timeout` seconds. Returns the time taken."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if await check():
            return time.monotonic() - start
        await asyncio.sleep(0.1)
    pytest.fail(f"timed out after {timeout}s waiting for {what}")


@pytest.fixture
async def counter() -> AsyncIterator[tuple[CountingServer, str]]:
    server = CountingServer()
    runner = web.AppRunner(server.app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield server, f"http://127.0.0.1:{port}"
    finally:
        server.release.set()
        await runner.cleanup()


async def seed(db: Database, now: datetime) -> None:
    """Forty leaders who work every day, all hours, and a campaign due earlier today."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    async with db.session() as session:
        session.add(Workspace(id="count:W", platform="count", name="Replicas"))
        await session.flush()
        for user in LEADERS:
            session.add(Person(workspace_id="count:W", platform_user_id=user, tz="UTC", work_start="00:00",
                               work_end="23:59", quiet_days=""))
        campaign = Campaign(workspace_id="count:W", name="Replicas", pack="going-first", state="active",
                            weekday=now.weekday(), local_time="00:00", audience_kind="leaders", audience_ids=LEADERS)
        session.add(campaign)
        await session.flush()
        assert campaign.id is not None
        session.add(CampaignSchedule(campaign_id=campaign.id, activated_at=midnight - timedelta(minutes=1), grace_hours=48))


def start_replica(db_url: str, counter_url: str, log: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = {**os.environ, "GOFIRST_DATABASE_URL": db_url, "GOFIRST_PORT": str(port), "COUNTER_URL": counter_url,
           "GOFIRST_ELECTION_INTERVAL": "0.3", "GOFIRST_WORKER_INTERVAL": "0.3",
           "GOFIRST_SENDING_LEASE_SECONDS": "2", "GOFIRST_LOG_LEVEL": "WARNING"}
    with log.open("ab") as out:
        process = subprocess.Popen([sys.executable, "-m", "tests.scheduling.replica"], cwd=REPO, env=env,
                                   stdout=out, stderr=subprocess.STDOUT)
    return process, port


async def healthy(port: int) -> bool:
    try:
        async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{port}/healthz") as response:
            return response.status == 200
    except aiohttp.ClientError:
        return False


async def test_kill_the_active_replica_mid_send_and_every_nudge_goes_out_once(
        postgres_server: ThrowawayPostgres, counter: tuple[CountingServer, str], tmp_path: Path) -> None:
    server, counter_url = counter
    url = postgres_server.create_database()
    db = Database(url)
    await upgrade(db)
    await seed(db, datetime.now(timezone.utc))
    processes: list[subprocess.Popen[bytes]] = []

    async def leader_pid() -> str:
        async with db.session() as session:
            row = await session.get(SchedulerLeader, "campaigns")
            return row.holder.rsplit(":", 1)[-1] if row else ""

    async def states() -> Counter[str]:
        async with db.session() as session:
            return Counter(n.state for n in (await session.exec(select(Nudge))).all())

    try:
        a, _ = start_replica(url, counter_url, tmp_path / "a.log")
        processes.append(a)
        await asyncio.wait_for(server.first_arrived.wait(), timeout=30)  # A leads, plans, sends: in flight
        assert server.sends[0][2] == str(a.pid) and await leader_pid() == str(a.pid)
        b, b_port = start_replica(url, counter_url, tmp_path / "b.log")
        processes.append(b)
        await eventually(lambda: healthy(b_port), 30, "replica B to serve")
        assert await leader_pid() == str(a.pid)  # B stands by: one scheduler at a time

        os.kill(a.pid, signal.SIGKILL)
        a.wait(timeout=10)
        took = await eventually(lambda: _is(leader_pid, str(b.pid)), 15, "B to take over the scheduler")
        assert took < 10
        print(f"takeover after kill -9: {took:.2f}s")
        await eventually(lambda: _is(states, Counter(sent=len(LEADERS))), 30, "every nudge recorded as sent")
        markers = Counter(s[0] for s in server.sends)
        async with db.session() as session:
            rows = (await session.exec(select(Nudge))).all()
        assert sorted(markers) == sorted(marker_for(n.id or 0) for n in rows)
        assert set(markers.values()) == {1} and len(server.sends) == len(LEADERS)  # exactly once each
        assert {s[2] for s in server.sends} == {str(a.pid), str(b.pid)}  # both replicas delivered
        held = next(n for n in rows if marker_for(n.id or 0) == server.sends[0][0])
        assert held.platform_message_id == "M1"  # the in-flight send was found and recorded, not resent

        # restart: A comes back, B dies; the new leader's catch-up tick and worker send nothing again
        a2, _ = start_replica(url, counter_url, tmp_path / "a2.log")
        processes.append(a2)
        os.kill(b.pid, signal.SIGKILL)
        b.wait(timeout=10)
        await eventually(lambda: _is(leader_pid, str(a2.pid)), 30, "the restarted replica to lead")
        await _add_one_more_nudge(db)  # proof that A2's worker is running passes
        await eventually(lambda: _is(states, Counter(sent=len(LEADERS) + 1)), 30, "the new nudge to be sent")
        assert len(server.sends) == len(LEADERS) + 1 and set(Counter(s[0] for s in server.sends).values()) == {1}
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)
        await db.dispose()


async def _is(read: Callable[[], Awaitable[object]], expected: object) -> bool:
    return await read() == expected


async def _add_one_more_nudge(db: Database) -> None:
    async with db.session() as session:
        campaign = (await session.exec(select(Campaign))).one()
        leader = Person(workspace_id="count:W", platform_user_id="late", tz="UTC", work_start="00:00",
                        work_end="23:59", quiet_days="")
        session.add(leader)
        await session.flush()
        assert leader.id is not None and campaign.id is not None
        session.add(Nudge(workspace_id="count:W", campaign_id=campaign.id, leader_id=leader.id, period="late",
                          pack="going-first", prompt_id="gf-01", due_at=datetime.now(timezone.utc)))
