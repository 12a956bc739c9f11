"""A log scan: representative traffic with every kind of secret configured (Slack's signing and
client secrets, bot tokens, GOFIRST_SECRET_KEY, a Teams app password and the tokens it buys, a
database URL with a password), at DEBUG, and no record anywhere holds any of them."""
from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Iterable

import aiohttp
import pytest
from aiohttp import web

from adapters.slack import mount as mount_slack
from bot.app.server import build_app
from bot.clock import FixedClock
from bot.core import events
from bot.core.messages import Message
from bot.runtime import build_runtime
from storage.db import Database
from storage.migrate import upgrade
from tests.conftest import START
from tests.reliability.live import (OAUTH_CLIENT_SECRET, TEAMS_PASSWORD, slack, slack_oauth, sqlite_db,  # noqa: F401
                                    sqlite_runtime, teams_secured)
from tests.reliability.test_fuzz_teams import ACTIVITIES
from tests.reliability.watch import recording
from tests.slack.conftest import LEADER, OAUTH_SECRET_KEY, SECRET, WORKSPACE, Live as SlackLive, settings_for
from tests.slack.double import BOT_TOKEN, Failure, SlackDouble
from tests.teams.conftest import APP_ID, Live as TeamsLive
from tests.teams.keys import KeyServer, StandInMsal

STATE_COOKIE = "slack-app-oauth-state"
DB_PASSWORD = "db-password-7c41e0"
INSTALLED_TOKEN = "xoxb-installed-token"


def leaked(records: Iterable[logging.LogRecord], secrets: Iterable[str]) -> list[str]:
    """Every record (its message, arguments, traceback and stack) that shows one of the secrets."""
    formatter = logging.Formatter()
    found = []
    for record in records:
        text = record.getMessage()
        if record.exc_info:
            text += formatter.formatException(record.exc_info)
        text += record.stack_info or ""
        found += [f"{record.name}: {secret[:6]}… in {text[:160]!r}" for secret in secrets if secret in text]
    return found


async def test_slack_oauth_install_and_sends_log_no_secret(slack_oauth: SlackLive) -> None:
    live = slack_oauth
    with recording(logging.DEBUG) as seen:
        async with live.http.get(f"{live.url}/slack/install") as response:
            state = re.search(r"state=([0-9a-f-]{36})", await response.text())
        assert state
        async with live.http.get(f"{live.url}/slack/oauth_redirect", params={"code": "good-code", "state": state[1]},
                                 headers={"Cookie": f"{STATE_COOKIE}={state[1]}"}) as response:
            assert response.status == 200
        async with live.http.get(f"{live.url}/slack/oauth_redirect", params={"code": "bad-code", "state": "x"}):
            pass
        await live.event({"type": "message", "channel": "D0LEAD", "channel_type": "im", "user": LEADER,
                          "text": "help", "ts": "1.000001"})
        live.double.fail("chat.postMessage", Failure(error="invalid_auth"))
        await live.event({"type": "message", "channel": "D0LEAD", "channel_type": "im", "user": LEADER,
                          "text": "status", "ts": "2.000001"})
        await live.settle()
    assert live.double.of("chat.postMessage")  # the installed token was really used
    assert leaked(seen.records, [OAUTH_CLIENT_SECRET, OAUTH_SECRET_KEY, SECRET, INSTALLED_TOKEN]) == []


async def test_slack_bot_token_calls_and_failures_log_no_secret(slack: SlackLive) -> None:
    with recording(logging.DEBUG) as seen:
        await slack.event({"type": "message", "channel": "D0LEAD", "channel_type": "im", "user": LEADER,
                           "text": "streak", "ts": "1.000001"})
        slack.double.fail("chat.postMessage", Failure(status=500), Failure(status=429, retry_after=1))
        await slack.event({"type": "message", "channel": "D0LEAD", "channel_type": "im", "user": LEADER,
                           "text": "help", "ts": "2.000001"})
        await slack.settle()
        await slack.edge.platform.send_dm(WORKSPACE, LEADER, Message(text="hello"))
        async with slack.http.post(f"{slack.url}/slack/events", data=b"{}", headers={
                "Content-Type": "application/json", "X-Slack-Request-Timestamp": str(int(time.time())),
                "X-Slack-Signature": "v0=" + "0" * 64}):
            pass
    assert {c.token for c in slack.double.of("chat.postMessage")} == {BOT_TOKEN}
    assert leaked(seen.records, [BOT_TOKEN, SECRET]) == []


async def test_teams_with_an_app_password_logs_no_secret(teams_secured: tuple[TeamsLive, KeyServer]) -> None:
    live, keys = teams_secured
    good = {"Authorization": f"Bearer {keys.token(APP_ID, live.connector.url)}"}
    with recording(logging.DEBUG) as seen:
        for headers in (good, {"Authorization": "Bearer not-a-token"}, {}):
            activity = {**ACTIVITIES[0], "id": str(uuid.uuid4()), "serviceUrl": live.connector.url}
            async with live.http.post(f"{live.url}/api/messages", json=activity, headers=headers) as response:
                await response.read()
    assert any(c.authorization == f"Bearer {StandInMsal.token}" for c in live.connector.calls)  # replies were signed
    assert leaked(seen.records, [TEAMS_PASSWORD, StandInMsal.token, good["Authorization"][7:]]) == []


@pytest.mark.postgres
async def test_a_database_password_never_reaches_the_log(postgres_server) -> None:  # type: ignore[no-untyped-def]
    url = postgres_server.create_database().replace("postgres@", f"postgres:{DB_PASSWORD}@")
    dead = f"postgresql+asyncpg://gofirst:{DB_PASSWORD}@127.0.0.1:1/gofirst"
    double = SlackDouble()
    await double.start()
    with recording(logging.DEBUG) as seen:
        db = Database(url)
        await upgrade(db)
        runtime = build_runtime(settings_for(url, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_API_URL=double.url),
                                clock=FixedClock(START), db=db)
        runner = web.AppRunner(build_app(runtime, [mount_slack]))
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        base = f"http://127.0.0.1:{runner.addresses[0][1]}"
        async with aiohttp.ClientSession() as http:
            for path in ("/healthz", "/readyz"):
                async with http.get(base + path) as response:
                    assert response.status == 200
        await runner.cleanup()
        broken = build_runtime(settings_for(dead, SLACK_BOT_TOKEN=BOT_TOKEN), clock=FixedClock(START))
        runner = web.AppRunner(build_app(broken, []))
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{runner.addresses[0][1]}/healthz") as response:
                assert response.status == 503
        await runner.cleanup()
        outcome = await broken.engine.handle(events.CommandReceived(WORKSPACE, LEADER, "help"))
        assert outcome.retry_later
    await double.stop()
    assert any("unreachable" in r.getMessage() for r in seen.records)  # the failure was logged, redacted
    assert leaked(seen.records, [DB_PASSWORD]) == []
