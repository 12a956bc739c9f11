"""The playground's edges: bad requests get a 400 with a JSON error, the live stream delivers, and
history survives a restart of the server."""
from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from adapters.local import mount
from bot.config import Settings
from bot.runtime import build_runtime
from bot.app.server import build_app
from tests.local.conftest import API, Server


async def started(server: Server) -> None:
    await server.post("/admin/start")
    await server.post("/admin/nudge")


@pytest.mark.parametrize("path, body, fragment", [
    ("/command", None, "must be a JSON object"),
    ("/command", [], "must be a JSON object"),
    ("/command", {"text": "help"}, "Missing or empty field: user"),
    ("/command", {"user": "alex"}, "Missing or empty field: text"),
    ("/command", {"user": "alex", "text": 42}, "Field text must be text"),
    ("/command", {"user": "alex", "text": "x" * 501}, "longer than 500"),
    ("/command", {"user": "mallory", "text": "help"}, "Unknown person: mallory"),
    ("/action", {"user": "alex", "action_id": "nudge.share", "message_id": "m-nope"}, "No such message: m-nope"),
    ("/form", {"user": "alex", "message_id": "m-nope", "values": "oops"}, "must be an object of text values"),
    ("/form", {"user": "alex", "message_id": "m-nope", "values": {"try": 1}}, "must be an object of text values"),
    ("/replies", {"user": "sam", "thread_id": "m-nope", "text": "hi"}, "No such message: m-nope"),
    ("/replies", {"user": "sam", "thread_id": "m-nope", "text": "  "}, "Missing or empty field: text"),
    ("/replies/edit", {"user": "sam", "message_id": "m-nope", "text": "hi"}, "No such message"),
    ("/home", {"user": ""}, "Missing or empty field: user"),
    ("/admin/start", None, "must be a JSON object"),
])
async def test_malformed_requests_get_a_400_with_a_json_error(
    server: Server, caplog: pytest.LogCaptureFixture, path: str, body: Any, fragment: str
) -> None:
    raw = "{not json" if body is None else None
    with caplog.at_level(logging.INFO, logger="adapters.local.requests"):
        _, answer = await server.post(path, body, status=400, raw=raw)
    assert fragment in answer["error"]
    assert any("refused (400)" in record.getMessage() for record in caplog.records)


async def test_buttons_and_forms_must_exist_and_belong_to_the_person(server: Server) -> None:
    await started(server)
    nudge = next(m for m in await server.dm() if m["kind"] == "nudge")
    value = nudge["payload"]["message"]["actions"][0]["value"]
    # A button the message doesn't show, or the right button with another value: refused.
    _, answer = await server.post("/action", {"user": "alex", "message_id": nudge["message_id"],
                                              "action_id": "admin.delete_everything", "value": value}, status=400)
    assert "no button admin.delete_everything" in answer["error"]
    await server.post("/action", {"user": "alex", "message_id": nudge["message_id"],
                                  "action_id": "nudge.share", "value": "999"}, status=400)
    # Sam can't press the buttons in Alex's DM.
    await server.post("/action", {"user": "sam", "message_id": nudge["message_id"],
                                  "action_id": "nudge.share", "value": value}, status=400)
    # A nudge is not a form, and a form can be sent once only.
    await server.post("/form", {"user": "alex", "message_id": nudge["message_id"], "values": {}}, status=400)
    await server.post("/action", {"user": "alex", "message_id": nudge["message_id"],
                                  "action_id": "nudge.share", "value": value})
    form = [m for m in await server.dm() if m["kind"] == "form"][-1]
    await server.post("/form", {"user": "sam", "message_id": form["message_id"], "values": {}}, status=400)
    filled = {"try": "a", "why": "b", "barrier": "c", "ask": "d", "channel": "product-team"}
    await server.post("/form", {"user": "alex", "message_id": form["message_id"], "values": filled})
    _, answer = await server.post("/form", {"user": "alex", "message_id": form["message_id"],
                                            "values": filled}, status=409)
    assert answer["error"] == "“Go first” was already sent, so it wasn't sent twice."
    assert len([m for m in await server.dm() if m["kind"] == "preview"]) == 1


async def test_only_the_author_edits_or_deletes_a_reply(server: Server) -> None:
    await started(server)
    share = await post_share(server)
    _, made = await server.post("/replies", {"user": "sam", "thread_id": share, "text": "Mine."}, status=201)
    reply = made["message"]["message_id"]
    _, answer = await server.post("/replies/edit", {"user": "mei", "message_id": reply, "text": "Hijacked"},
                                  status=403)
    assert "Only the author" in answer["error"]
    await server.post("/replies/delete", {"user": "mei", "message_id": reply}, status=403)
    # A reply to a reply is not a thread of its own.
    await server.post("/replies", {"user": "mei", "thread_id": reply, "text": "nested"}, status=400)
    assert [m["payload"]["text"] for m in await server.channel() if m["thread_id"] == share] == ["Mine."]


async def post_share(server: Server) -> str:
    await server.post("/command", {"user": "alex", "text": "share"})
    form = [m for m in await server.dm() if m["kind"] == "form"][-1]
    await server.post("/form", {"user": "alex", "message_id": form["message_id"], "values": {
        "try": "Posting my plans here.", "why": "Fewer surprises.", "barrier": "Time.",
        "ask": "What's yours?", "channel": "product-team"}})
    preview = [m for m in await server.dm() if m["kind"] == "preview"][-1]
    button = preview["payload"]["message"]["actions"][0]
    await server.post("/action", {"user": "alex", "message_id": preview["message_id"],
                                  "action_id": button["action_id"], "value": button["value"]})
    return next(m["message_id"] for m in await server.channel() if m["kind"] == "share_post")


async def test_nudge_before_the_campaign_starts_and_digest_before_a_share_say_why(server: Server) -> None:
    _, answer = await server.post("/admin/nudge", status=409)
    assert "Start the campaign first" in answer["notice"] and answer["admin"]["campaign"]["state"] == "draft"
    _, answer = await server.post("/admin/digest", status=409)
    assert "hasn't posted a share" in answer["notice"]
    assert await server.dm() == []
    await server.post("/admin/start")
    _, again = await server.post("/admin/start")
    assert again["changed"] is False and "already active" in again["notice"]


async def read_events(response: aiohttp.ClientResponse, count: int) -> list[dict[str, Any]]:
    """The next `count` JSON events of a server-sent event stream."""
    found: list[dict[str, Any]] = []
    while len(found) < count:
        line = (await response.content.readline()).decode()
        if line.startswith("data: ") and line.strip() != "data: {}":
            found.append(json.loads(line[len("data: "):]))
    return found


async def test_the_live_stream_delivers_each_new_message(server: Server) -> None:
    async with server.http.get(f"{server.url}{API}/events") as stream:
        assert stream.status == 200 and stream.headers["Content-Type"].startswith("text/event-stream")
        assert (await stream.content.readline()).decode() == "event: ready\n"
        await server.post("/command", {"user": "alex", "text": "help"})
        events = await asyncio.wait_for(read_events(stream, 3), timeout=10)
    kinds = [(e["type"], e.get("message", {}).get("kind")) for e in events]
    assert kinds[:2] == [("message", "command"), ("message", "help")]
    assert events[1]["message"]["payload"]["message"]["title"] == "GoFirst"
    assert kinds[2] == ("admin", None)


async def test_history_survives_a_restart(server: Server) -> None:
    await started(server)
    await server.post("/command", {"user": "alex", "text": "status"})
    before = await server.messages()
    fresh = build_runtime(Settings(GOFIRST_DATABASE_URL=server.runtime.db.url), clock=server.runtime.services.clock)
    runner = web.AppRunner(build_app(fresh, [mount]))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        host, port = runner.addresses[0][:2]
        async with server.http.get(f"http://{host}:{port}{API}/state") as response:
            after = (await response.json())["messages"]
    finally:
        await runner.cleanup()
    assert [m["kind"] for m in after] == ["nudge", "command", "status"]
    assert after == before


async def test_the_page_is_self_contained(server: Server) -> None:
    async with server.http.get(server.url + "/") as response:
        html = await response.text()
        assert response.status == 200 and response.content_type == "text/html"
    assert "GoFirst playground" in html and "Send the next nudge now" in html
    assert "http://" not in html and "https://" not in html  # nothing from a CDN
    for asset in ("app.js", "render.js", "playground.css"):
        async with server.http.get(f"{server.url}/playground/static/{asset}") as response:
            assert response.status == 200
            assert "http" not in await response.text()
