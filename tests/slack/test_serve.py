"""docs/slack.md's steps as a newcomer runs them: `gofirst db upgrade`, then `gofirst serve` with the
Slack variables, in a real subprocess; Slack's url_verification and a slash command are answered."""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

from tests.slack.conftest import LEADER, SECRET
from tests.slack.double import BOT_TOKEN, TEAM_ID, SlackDouble
from tests.support.postgres import free_port

GOFIRST = str(Path(sys.executable).parent / "gofirst")


def signed(body: str, content_type: str) -> dict[str, str]:
    ts = str(int(time.time()))
    return {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=body)}


async def test_gofirst_serve_answers_slack(tmp_path: Path, double: SlackDouble) -> None:
    port = free_port()
    env = {**os.environ, "GOFIRST_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'gofirst.db'}",
           "GOFIRST_PORT": str(port), "SLACK_SIGNING_SECRET": SECRET, "SLACK_BOT_TOKEN": BOT_TOKEN,
           "SLACK_API_URL": double.url}
    upgrade = await asyncio.to_thread(subprocess.run, [GOFIRST, "db", "upgrade"], env=env, capture_output=True,
                                      text=True, timeout=60)
    assert upgrade.returncode == 0, upgrade.stderr
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen([GOFIRST, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
            deadline = time.monotonic() + 20
            ready: dict = {}
            while time.monotonic() < deadline and server.poll() is None:
                try:
                    async with http.get(f"{base}/readyz") as response:
                        ready = await response.json()
                        if response.status == 200:
                            break
                except aiohttp.ClientConnectionError:
                    pass
                await asyncio.sleep(0.1)
            assert "slack" in ready.get("platforms", []), (tmp_path / "serve.log").read_text()

            body = json.dumps({"type": "url_verification", "challenge": "c-123", "token": "legacy"})
            async with http.post(f"{base}/slack/events", data=body, headers=signed(body, "application/json")) as r:
                assert r.status == 200 and "c-123" in await r.text()
            command = urlencode({"team_id": TEAM_ID, "user_id": LEADER, "command": "/gofirst", "text": "help",
                                 "channel_id": "C0TEAM", "trigger_id": "1.t", "response_url": "https://x.invalid"})
            async with http.post(f"{base}/slack/events", data=command,
                                 headers=signed(command, "application/x-www-form-urlencoded")) as r:
                assert r.status == 200
            deadline = time.monotonic() + 10
            while not double.posts_to(LEADER) and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            assert double.posts_to(LEADER), (tmp_path / "serve.log").read_text()
            assert "What I can do." in json.dumps(double.posts_to(LEADER)[-1].args["blocks"])  # the help
    finally:
        server.terminate()
        await asyncio.to_thread(server.wait, 15)
        log.close()
    assert BOT_TOKEN not in (tmp_path / "serve.log").read_text()


def test_socket_mode_without_an_app_token_says_what_is_missing(tmp_path: Path) -> None:
    env = {**os.environ, "GOFIRST_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'gofirst.db'}",
           "SLACK_SIGNING_SECRET": SECRET, "SLACK_BOT_TOKEN": BOT_TOKEN}
    env.pop("SLACK_APP_TOKEN", None)
    result = subprocess.run([GOFIRST, "serve", "--socket-mode"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "SLACK_APP_TOKEN" in result.stderr


def test_oauth_without_a_secret_key_refuses_to_store_tokens(tmp_path: Path) -> None:
    env = {**os.environ, "GOFIRST_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'gofirst.db'}",
           "SLACK_SIGNING_SECRET": SECRET, "SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "s",
           "GOFIRST_PORT": str(free_port())}
    for name in ("SLACK_BOT_TOKEN", "GOFIRST_SECRET_KEY"):
        env.pop(name, None)
    assert subprocess.run([GOFIRST, "db", "upgrade"], env=env, capture_output=True, timeout=60).returncode == 0
    result = subprocess.run([GOFIRST, "serve"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "GOFIRST_SECRET_KEY" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
