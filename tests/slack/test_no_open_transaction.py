"""No database transaction stays open while Slack (or the language model) is answering. On
PostgreSQL, with a Web API double and a model that each answer after 2 s, the whole weekly loop
runs, and during every single call a separate connection asks the server which of GoFirst's
connections are inside a transaction: the answer must be none, every time."""
from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from aiohttp import web

from bot.clock import FixedClock
from bot.delivery.digests import send_digest
from bot.delivery.worker import DeliveryWorker
from bot.scheduling.ticks import plan_campaign
from storage.db import Database
from storage.tables import Campaign
from tests.slack.conftest import CHANNEL, JORDAN, LEADER, SAM, Live, Seeded, running, seed_workspace, settings_for
from tests.slack.double import BOT_TOKEN, SlackDouble
from tests.slack.test_loop import FILLED, button, reply

SLOW = 2.0
OPEN_TRANSACTIONS = """SELECT count(*) FROM pg_stat_activity
                       WHERE datname = current_database() AND application_name <> 'probe' AND xact_start IS NOT NULL"""
DIRECTIVE = {**FILLED, "try": "Everyone must post their updates in the channel from Monday",
             "ask": "Make sure you do it every Friday"}


class Probe:
    """Counts, during each platform or model call, the transactions GoFirst holds open."""

    def __init__(self, dsn: str) -> None:
        self.dsn, self.seen = dsn, []  # type: list[tuple[str, int]]

    async def __call__(self, what: str) -> None:
        await asyncio.sleep(0.2)  # well inside the call: whatever the caller holds, it holds now
        # Named, so that two calls at once don't count each other's probe as GoFirst's transaction.
        conn = await asyncpg.connect(self.dsn, server_settings={"application_name": "probe"})
        try:
            self.seen.append((what, int(await conn.fetchval(OPEN_TRANSACTIONS))))
        finally:
            await conn.close()


@pytest.fixture
async def slow_model(probe: Probe) -> AsyncIterator[str]:
    """An OpenAI-compatible endpoint that thinks for 2 s, then gives a modelling rewrite."""
    async def complete(request: web.Request) -> web.Response:
        await asyncio.gather(probe("llm"), asyncio.sleep(SLOW))
        content = ('{"try": "I\'m trying to post my updates in the channel", "why": "decisions get stuck",'
                   ' "barrier": "time", "ask": "what gets in your way?"}')
        return web.json_response({"choices": [{"message": {"content": content}}]})

    app = web.Application()
    app.router.add_post("/v1/chat/completions", complete)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    yield f"http://{host}:{port}/v1"
    await runner.cleanup()


@pytest.fixture
def probe(postgres_server: Any) -> Probe:
    return Probe("")


@pytest.mark.postgres
@pytest.mark.slow
async def test_no_transaction_is_open_during_any_platform_or_model_call_in_the_weekly_loop(
        postgres_server: Any, clock: FixedClock, double: SlackDouble, probe: Probe, slow_model: str) -> None:
    url = postgres_server.create_database()
    probe.dsn = url.replace("postgresql+asyncpg", "postgresql")
    from storage.migrate import upgrade
    db = Database(url)
    await upgrade(db)
    double.users["U0NEW"] = {"name": "Noor Haddad", "tz": "Asia/Dubai"}
    settings = settings_for(url, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_API_URL=double.url, GOFIRST_LLM_URL=slow_model,
                            GOFIRST_LLM_MODEL="tiny")
    try:
        async with running(settings, db, clock, double) as live:
            seeded = await seed_workspace(live)
            double.delay, double.during = SLOW, probe
            await weekly_loop(live, seeded)
    finally:
        await db.dispose()
    methods = {what for what, _ in probe.seen}
    assert {"users.info", "chat.postMessage", "chat.update", "views.open", "views.publish", "llm"} <= methods
    assert len(probe.seen) >= 15
    assert [(what, n) for what, n in probe.seen if n] == []


async def weekly_loop(live: Live, seeded: Seeded) -> None:
    """Plan → nudge → form → directive preview → model rewrite → post → replies (one from a
    newcomer) → digest → answer → streak → home: every kind of call the loop makes."""
    async with live.runtime.db.session() as session:  # created a day before the test's "now"
        campaign = await session.get(Campaign, seeded.campaign_id)
        assert campaign is not None
        campaign.created_at = live.runtime.services.clock.now() - timedelta(days=1)
        session.add(campaign)
    assert (await plan_campaign(live.runtime.services, seeded.campaign_id)).planned
    assert (await DeliveryWorker(live.runtime.services).run_once()).delivered == 1
    nudge_dm = live.dms_to(LEADER)[-1]
    await live.click(LEADER, "nudge.share", button(nudge_dm["blocks"], "nudge.share")["value"], "D0LEAD",
                     str(live.double.history["D0LEAD"][-1]["ts"]))
    await live.settle()
    view = live.double.of("views.open")[-1].args["view"]
    _, coached = await live.submit(LEADER, view, {**DIRECTIVE, "channel": CHANNEL})  # the coach's notes first
    await live.submit(LEADER, json.loads(coached)["view"], {**DIRECTIVE, "channel": CHANNEL})
    await live.settle()
    preview = live.dms_to(LEADER)[-1]
    await live.click(LEADER, "share.reframe", button(preview["blocks"], "share.reframe")["value"], "D0LEAD", "1.1")
    await live.settle()
    rewritten = live.dms_to(LEADER)[-1]
    await live.click(LEADER, "share.post", button(rewritten["blocks"], "share.post")["value"], "D0LEAD", "1.2")
    await live.settle()
    thread = str(live.double.history[CHANNEL][-1]["ts"])  # the share, top of its thread
    for n, (user, text) in enumerate([(SAM, "IT blocks the app"), (JORDAN, "no time"), ("U0NEW", "afraid of it")]):
        await live.event(reply(f"1764000100.00000{n}", user, text, thread))
    await live.settle()
    share_id = int(button(rewritten["blocks"], "share.post")["value"])
    assert await send_digest(live.runtime.services, share_id)
    digest = live.dms_to(LEADER)[-1]
    await live.click(LEADER, "digest.answer", button(digest["blocks"], "digest.answer")["value"], "D0LEAD", "2.2")
    await live.settle()
    await live.submit(LEADER, live.double.of("views.open")[-1].args["view"], {"answer": "Thanks, I'll ask IT"})
    await live.settle()
    await live.command(LEADER, "streak")
    await live.event({"type": "app_home_opened", "user": LEADER, "channel": "D0LEAD", "tab": "home"})
    await live.settle()
    assert "1 week in a row" in str(live.dms_to(LEADER)[-2:])
