"""What an attacker tries first, on every edge of one live server: bodies too big, in a charset
nobody reads, not UTF-8, nested ten thousand deep, and clients that hang up mid-body. Each gets a
4xx with a short reason and one log line (or, for a hang-up, an info line), never a 500 or a
traceback, and the server keeps serving."""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from typing import Any

import pytest

from adapters.local.security import CSRF_HEADER
from bot.app.guards import MAX_BODY
from tests.reliability.live import Edges, edges, sqlite_db  # noqa: F401  (fixtures)
from tests.reliability.strategies import deep_text
from tests.reliability.watch import noisy, recording
from tests.slack.conftest import SECRET

ROUTES = ["/slack/events", "/api/messages", "/playground/api/command"]


def headers_for(edges: Edges, path: str, body: bytes, content_type: str) -> dict[str, str]:
    """What the real sender adds: Slack's signature, the playground page's token."""
    headers = {"Content-Type": content_type}
    if path.startswith("/slack"):
        ts = str(int(time.time()))
        digest = hmac.new(SECRET.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
        headers.update({"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"})
    if path.startswith("/playground"):
        headers[CSRF_HEADER] = edges.token
    return headers


async def send(edges: Edges, path: str, body: bytes, content_type: str = "application/json"
               ) -> tuple[int, dict[str, Any], list[logging.LogRecord]]:
    with recording() as seen:
        async with edges.http.post(f"{edges.url}{path}", data=body,
                                   headers=headers_for(edges, path, body, content_type)) as response:
            answer = await response.json(content_type=None)
    return response.status, answer, seen.records


CASES = [
    pytest.param(deep_text(20000).encode(), "application/json", 400, "nested deeper", id="deep-array"),
    pytest.param(deep_text(5000, "{").encode(), "application/json", 400, "nested deeper", id="deep-object"),
    pytest.param(b'{"a": ' + deep_text(3000).encode() + b"}", "application/x-www-form-urlencoded", 400,
                 "nested deeper", id="deep-json-as-form"),
    pytest.param(b"payload=" + deep_text(3000).replace("[", "%5B").encode(), "application/x-www-form-urlencoded",
                 400, "nested deeper", id="deep-form-payload"),
    pytest.param(b'{"text": "\xff\xfe caf\xe9"}', "application/json", 400, "not valid UTF-8", id="not-utf8"),
    pytest.param('{"text": "café"}'.encode(), "application/json; charset=us-ascii", 400, "not us-ascii",
                 id="not-ascii"),
    pytest.param(b'{"type": "message"}', "application/json; charset=klingon", 415, "charset", id="unknown-charset"),
    pytest.param(b'{"type": "message"}', "application/json; charset=latin-1", 415, "charset", id="latin-1"),
    pytest.param(b"x" * (MAX_BODY + 1), "application/json", 413, "larger than", id="too-big"),
]


@pytest.mark.parametrize("path", ROUTES)
@pytest.mark.parametrize("body, content_type, status, reason", CASES)
async def test_unreadable_bodies_get_a_4xx_with_a_reason_and_one_log_line(
        edges: Edges, path: str, body: bytes, content_type: str, status: int, reason: str) -> None:
    got, answer, records = await send(edges, path, body, content_type)
    assert got == status and reason in answer["error"]
    assert noisy(records) == []
    assert len([r for r in records if r.levelno == logging.WARNING]) == 1


@pytest.mark.parametrize("path", ROUTES)
@pytest.mark.parametrize("body", [b"[]", b'"a string"', b"42", b"null", b"[" * 900 + b"]" * 900])
async def test_json_that_is_not_an_object_gets_a_400(edges: Edges, path: str, body: bytes) -> None:
    got, answer, records = await send(edges, path, body)
    assert got == 400 and answer["error"]
    assert noisy(records) == []


@pytest.mark.parametrize("timestamp", ["abc", "", "1e9", "١٢٣٤٥", "-5", "9" * 40])
async def test_a_slack_timestamp_that_is_not_a_number_is_401_not_500(edges: Edges, timestamp: str) -> None:
    with recording() as seen:
        async with edges.http.post(f"{edges.url}/slack/events", data=b'{"type":"event_callback"}', headers={
                "Content-Type": "application/json", "X-Slack-Request-Timestamp": timestamp,
                "X-Slack-Signature": "v0=garbage"}) as response:
            assert response.status == 401, await response.text()
    assert noisy(seen.records) == []


@pytest.mark.parametrize("path", ROUTES)
async def test_a_client_that_hangs_up_mid_body_is_not_an_error(edges: Edges, path: str) -> None:
    host, port = edges.url.removeprefix("http://").split(":")
    with recording() as seen:
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
                     f"Content-Length: 5000\r\n\r\n".encode() + b'{"type": "mess')
        await writer.drain()
        await asyncio.sleep(0.2)
        writer.close()
        await writer.wait_closed()
        await asyncio.sleep(0.3)
    assert noisy(seen.records) == []
    assert any("hung up" in r.getMessage() and r.levelno == logging.INFO for r in seen.records)
    async with edges.http.get(f"{edges.url}/healthz") as response:
        assert response.status == 200


async def test_real_requests_still_pass(edges: Edges) -> None:
    """The checks refuse only what is broken: each edge still takes what its sender really sends."""
    challenge = json.dumps({"type": "url_verification", "challenge": "c-123", "token": "t"}).encode()
    status, answer, records = await send(edges, "/slack/events", challenge)
    assert status == 200 and answer["challenge"] == "c-123"
    status, answer, records = await send(edges, "/playground/api/command",
                                         json.dumps({"user": "alex", "text": "streak"}).encode(),
                                         "application/json; charset=UTF-8")
    assert status == 200, answer
    assert noisy(records) == []
