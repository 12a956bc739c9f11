"""A real `gofirst serve` process, talking to the Slack Web API double over HTTP, is killed with
SIGKILL in the middle of fanning out 30 nudges, then started again. Counted at the double: every
leader got exactly one DM, including the one whose send was in flight at the kill."""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import aiohttp
import pytest
from sqlmodel import select

from storage.db import Database
from storage.migrate import upgrade
from storage.tables import Campaign, Nudge, Person, Workspace
from storage.tables.scheduling import CampaignSchedule
from tests.slack.conftest import SECRET, WORKSPACE
from tests.slack.double import BOT_TOKEN, SlackDouble
from tests.support.postgres import free_port

REPO = Path(__file__).resolve().parents[2]
LEADERS = [f"U2{n:04d}" for n in range(30)]


async def seed(db: Database, now: datetime) -> None:
    """Thirty leaders who work every day at all hours, and a campaign due earlier today."""
    async with db.session() as session:
        session.add(Workspace(id=WORKSPACE, platform="slack", name="Kill test"))
        await session.flush()
        for user in LEADERS:
            session.add(Person(workspace_id=WORKSPACE, platform_user_id=user, display_name=user, tz="UTC",
                               work_start="00:00", work_end="23:59", quiet_days=""))
        campaign = Campaign(workspace_id=WORKSPACE, name="Fan-out", pack="going-first", state="active",
                            weekday=now.weekday(), local_time="00:00", audience_kind="leaders", audience_ids=LEADERS)
        session.add(campaign)
        await session.flush()
        assert campaign.id is not None
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        session.add(CampaignSchedule(campaign_id=campaign.id, activated_at=midnight - timedelta(minutes=1),
                                     grace_hours=48))


def serve(db_url: str, double: SlackDouble, log: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = {**os.environ, "GOFIRST_DATABASE_URL": db_url, "GOFIRST_PORT": str(port), "SLACK_BOT_TOKEN": BOT_TOKEN,
           "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": double.url, "GOFIRST_WORKER_INTERVAL": "0.3",
           "GOFIRST_SENDING_LEASE_SECONDS": "2", "GOFIRST_LOG_LEVEL": "WARNING"}
    with log.open("ab") as out:
        process = subprocess.Popen([sys.executable, "-c", "from bot.cli import main; main()", "serve"],
                                   cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    return process, port


def delivered(double: SlackDouble) -> Counter[str]:
    return Counter(channel for channel, messages in double.history.items() for m in messages if m.get("bot_id"))


async def wait_for(check, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.slow
async def test_kill_9_mid_fan_out_then_restart_sends_each_nudge_once(tmp_path: Path) -> None:
    double = SlackDouble(users={u: {"name": u, "tz": "UTC"} for u in LEADERS}, answer_delay=0.3)
    await double.start()
    url = f"sqlite+aiosqlite:///{tmp_path / 'gofirst.db'}"
    db = Database(url)
    await upgrade(db)
    await seed(db, datetime.now(timezone.utc))
    log = tmp_path / "serve.log"
    first, _ = serve(url, double, log)
    second = None
    try:
        async def some_sent() -> bool:
            return sum(delivered(double).values()) >= 10
        await wait_for(some_sent, 60, "the first ten DMs")
        os.kill(first.pid, signal.SIGKILL)  # mid-fan-out: a DM stored at Slack, its answer not yet back
        first.wait(timeout=10)
        at_kill = sum(delivered(double).values())
        assert at_kill < len(LEADERS), "the fan-out finished before the kill: nothing was tested"

        second, port = serve(url, double, log)

        async def all_sent() -> bool:
            async with db.session() as session:
                states = Counter((await session.exec(select(Nudge.state))).all())
            return states == Counter({"sent": len(LEADERS)})
        await wait_for(all_sent, 90, "every nudge recorded as sent after the restart")
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
        await db.dispose()
        await double.stop()
    counts = delivered(double)
    assert {("D" + u[1:]): counts.get("D" + u[1:], 0) for u in LEADERS} == {"D" + u[1:]: 1 for u in LEADERS}, \
        log.read_text()[-3000:]
