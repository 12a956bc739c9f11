"""`gofirst serve --socket-mode`: the same app, reached over a Socket Mode WebSocket instead of HTTP
(the double plays Slack's side: apps.connections.open, hello, envelopes, acks)."""
from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from adapters.slack import SLACK_EDGE, mount_socket_mode
from bot.clock import FixedClock
from bot.runtime import build_runtime
from bot.app.server import build_app
from storage.db import Database
from tests.slack.conftest import LEADER, Live, settings_for
from tests.slack.double import BOT_TOKEN, TEAM_ID, SlackDouble


async def until(condition, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    assert condition()


@pytest.fixture
async def socket_live(migrated_db: Database, clock: FixedClock, double: SlackDouble) -> AsyncIterator[Live]:
    settings = settings_for(migrated_db.url, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN="xapp-1-test",
                            SLACK_API_URL=double.url)
    runtime = build_runtime(settings, clock=clock, db=migrated_db)
    runner = web.AppRunner(build_app(runtime, [mount_socket_mode]), access_log=None)
    await runner.setup()  # runs on_startup: the Socket Mode connection is opened here
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    async with aiohttp.ClientSession() as http:
        live = Live("", http, runner.app[SLACK_EDGE], runtime, double)
        try:
            yield live
        finally:
            await live.edge.idle(timeout=15)
            await runner.cleanup()


async def test_a_slash_command_over_socket_mode_is_acked_and_answered(socket_live: Live) -> None:
    double = socket_live.double
    await until(lambda: bool(double.sockets))
    assert double.of("apps.connections.open")[0].token == "xapp-1-test"
    await double.push({"envelope_id": "env-1", "type": "slash_commands", "accepts_response_payload": True,
                       "payload": {"team_id": TEAM_ID, "user_id": LEADER, "command": "/gofirst", "text": "streak",
                                   "channel_id": "C0TEAM", "trigger_id": "1.t", "api_app_id": "A0GOFIRST",
                                   "response_url": "https://hooks.slack.invalid/1"}})
    await until(lambda: any(a.get("envelope_id") == "env-1" for a in double.socket_acks))
    await until(lambda: bool(double.posts_to(LEADER)))
    await socket_live.settle()
    assert "modelling streak" in str(double.posts_to(LEADER)[-1].args["blocks"])
