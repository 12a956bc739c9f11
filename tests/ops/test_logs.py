"""Log lines as an operator reads them: JSON or text, the request id and workspace on every line
of a request (its background work too), and never a token or configured secret."""
from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Iterator

import aiohttp
import pytest
from aiohttp import web

from bot.app.server import build_app
from bot.config import Settings
from bot.logs import AccessLog, configure
from bot.runtime import Runtime
from tests.slack.conftest import BOT_USER, TEAM_ID, Live, Seeded
from tests.ops.test_metrics import DM_STREAK

SIGNING = "8f14e45fceea167a5a36dedd4bea2543"
CLIENT_SECRET = "cl13nt-s3cr3t-value-77"
DB_PASSWORD = "pg-pass-9911"
SETTINGS = {"SLACK_SIGNING_SECRET": SIGNING, "SLACK_CLIENT_SECRET": CLIENT_SECRET, "SLACK_BOT_TOKEN": "xoxb-1-2-abc",
            "MicrosoftAppPassword": "teams~app~password~1",
            "GOFIRST_DATABASE_URL": f"postgresql+asyncpg://gofirst:{DB_PASSWORD}@db:5432/gofirst"}


@pytest.fixture
def captured() -> Iterator[tuple[io.StringIO, list[logging.Handler]]]:
    out, handlers = io.StringIO(), []
    yield out, handlers
    for handler in handlers:
        logging.getLogger().removeHandler(handler)


def setup(captured: tuple[io.StringIO, list[logging.Handler]], **settings: str) -> io.StringIO:
    out, handlers = captured
    handlers.append(configure(Settings(**settings), out))
    return out


def test_no_secret_reaches_a_line_in_either_format(captured: tuple[io.StringIO, list[logging.Handler]]) -> None:
    for log_format in ("json", "text"):
        out = setup(captured, GOFIRST_LOG_FORMAT=log_format, GOFIRST_LOG_LEVEL="DEBUG", **SETTINGS)
        log = logging.getLogger("gofirst.test")
        log.info("calling with %s and headers %s", "xoxb-123-456-abcdef", {"Authorization": "Bearer eyJhbGc.x.y"})
        log.warning("verifying with %s; form client_secret=%s&code=1", SIGNING, CLIENT_SECRET)
        log.debug("app token xapp-1-A0-99-ffff, user token xoxp-9-8-7, url postgresql://u:%s@db/x", DB_PASSWORD)
        try:
            raise RuntimeError(f"OAuth failed for secret {CLIENT_SECRET} and password teams~app~password~1")
        except RuntimeError:
            log.exception("install failed")
        text = out.getvalue()
        for secret in ("xoxb-123", "eyJhbGc", SIGNING, CLIENT_SECRET, "xapp-1-A0", "xoxp-9", DB_PASSWORD,
                       "teams~app~password~1"):
            assert secret not in text, (log_format, secret)
        assert text.count("[redacted]") >= 8 and "install failed" in text and "RuntimeError" in text
        if log_format == "json":
            lines = [json.loads(line) for line in text.splitlines()]
            assert [line["level"] for line in lines] == ["INFO", "WARNING", "DEBUG", "ERROR"]
            assert lines[0]["logger"] == "gofirst.test" and lines[0]["request_id"] is None
            assert "RuntimeError" in lines[3]["traceback"]
        out.truncate(0)
        out.seek(0)


def test_text_is_the_default_and_says_nothing_of_a_request_outside_one(
        captured: tuple[io.StringIO, list[logging.Handler]]) -> None:
    out = setup(captured)
    logging.getLogger("gofirst.test").warning("plain line")
    assert out.getvalue().rstrip().endswith("WARNING gofirst.test: plain line")


async def test_every_line_of_a_slack_request_names_it_and_its_workspace(
        live: Live, seeded: Seeded, captured: tuple[io.StringIO, list[logging.Handler]]) -> None:
    out = setup(captured, GOFIRST_LOG_FORMAT="json", GOFIRST_LOG_LEVEL="DEBUG")
    body = json.dumps({"token": "legacy", "team_id": TEAM_ID, "api_app_id": "A0GOFIRST", "type": "event_callback",
                       "event": DM_STREAK, "event_id": "Ev0LOGS001", "event_time": int(time.time()),
                       "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER, "is_bot": True}]})
    status, _ = await live.send(body, "application/json", extra={"X-Request-Id": "edge-req-0042"})
    assert status == 200
    await live.settle()  # the DM is sent by a listener task after the ack
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    web_api = [line for line in lines if line["logger"] == "gofirst.slack.web"]
    assert any("chat.postMessage" in line["message"] for line in web_api)
    assert web_api and all(line["request_id"] == "edge-req-0042" for line in web_api)
    # bolt's own authorize step (auth.test) runs before the workspace middleware names it; every line after does
    named = next(n for n, line in enumerate(web_api) if line["workspace"])
    assert all(line["workspace"] == f"slack:{TEAM_ID}" for line in web_api[named:])
    assert any("chat.postMessage" in line["message"] for line in web_api[named:])


async def test_the_access_line_carries_the_request_id_in_its_own_field(
        runtime: Runtime, captured: tuple[io.StringIO, list[logging.Handler]]) -> None:
    out = setup(captured, GOFIRST_LOG_FORMAT="json")
    runner = web.AppRunner(build_app(runtime, []), access_log_class=AccessLog)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        async with aiohttp.ClientSession() as http:
            url = f"http://127.0.0.1:{runner.addresses[0][1]}/healthz?token=xoxb-9-9-secret"
            async with http.get(url, headers={"X-Request-Id": "probe-17"}) as response:
                assert response.status == 200
    finally:
        await runner.cleanup()
    access = [json.loads(line) for line in out.getvalue().splitlines() if '"aiohttp.access"' in line]
    assert len(access) == 1 and access[0]["request_id"] == "probe-17"
    assert "GET /healthz 200" in access[0]["message"] and "xoxb" not in access[0]["message"]
    assert "context" not in access[0]
