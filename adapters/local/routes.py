"""The playground's JSON API and live stream. Each route turns a click or a typed line into the same
engine event a Slack or Teams adapter would make, then waits until what the engine sent is stored."""
from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from aiohttp import web

from adapters.local import admin, threads
from adapters.local.platform import as_json, dm_of, home_of, row_json
from adapters.local.requests import BadRequest, json_body, refuses_bad_input, text_field, text_values
from adapters.local.state import PLAYGROUND, Playground, message_of, pg_of
from bot.demo import DEMO_CHANNEL
from bot.core import events
from storage.tables.playground import PlaygroundMessage

__all__ = ["API", "PLAYGROUND", "Playground", "add_routes"]

log = logging.getLogger(__name__)
API = "/playground/api"
KEEP_ALIVE_SECONDS = 15.0


def _buttons(row: PlaygroundMessage) -> list[dict[str, Any]]:
    payload = row.payload
    if "message" in payload:
        return list(payload["message"].get("actions", []))
    if "form" in payload:
        return list(payload["form"].get("extra_actions", []))
    if "home" in payload:
        return [a for section in payload["home"].get("sections", []) for a in section.get("actions", [])]
    return []


async def state(request: web.Request) -> web.Response:
    pg = pg_of(request)
    return web.json_response({
        "workspace": pg.workspace, "channel": DEMO_CHANNEL, "people": pg.people,
        "messages": await pg.platform.history(pg.workspace),
        "admin": await admin.status(pg.runtime.services, pg.demo()),
    })


async def stream(request: web.Request) -> web.StreamResponse:
    """Server-sent events: one `data:` line of JSON per stored message, update or deletion."""
    pg = pg_of(request)
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache",
                                           "X-Accel-Buffering": "no"})
    await response.prepare(request)
    queue = pg.broadcaster.subscribe()
    try:
        await response.write(b"event: ready\ndata: {}\n\n")
        while True:
            try:
                item = await asyncio.wait_for(queue.get(), timeout=KEEP_ALIVE_SECONDS)
            except TimeoutError:
                await response.write(b": keep-alive\n\n")
                continue
            if item is None:
                break
            await response.write(f"data: {json.dumps(item)}\n\n".encode())
    except ConnectionResetError:
        pass
    finally:
        pg.broadcaster.unsubscribe(queue)
    return response


@refuses_bad_input
async def command(request: web.Request) -> web.Response:
    pg = pg_of(request)
    data = await json_body(request, pg.words("errors.bad_json"))
    user, text = pg.user(data), text_field(data, "text", pg.words, limit=500)
    pg.platform.add(pg.workspace, dm_of(user), user, "command", {"text": text})
    await pg.platform.flush()
    await pg.handle(events.CommandReceived(pg.workspace, user, text))
    return web.json_response({"ok": True})


@refuses_bad_input
async def action(request: web.Request) -> web.Response:
    """A button press, accepted only for a button the message really shows."""
    pg = pg_of(request)
    data = await json_body(request, pg.words("errors.bad_json"))
    user = pg.user(data)
    action_id = text_field(data, "action_id", pg.words, limit=80)
    value = text_field(data, "value", pg.words, limit=200, required=False)
    row = await message_of(pg, data)
    if row.conversation not in (dm_of(user), home_of(user)) and not row.conversation.startswith("channel:"):
        raise BadRequest(pg.words("errors.unknown_message", message_id=row.message_id))
    if not any(b.get("action_id") == action_id and b.get("value", "") == value for b in _buttons(row)):
        raise BadRequest(pg.words("errors.unknown_action", action_id=action_id))
    channel = row.conversation.split(":", 1)[1] if row.conversation.startswith("channel:") else row.conversation
    await pg.handle(events.ActionClicked(pg.workspace, user, action_id, value, channel_id=channel,
                                         message_id=row.message_id, trigger=row.message_id))
    return web.json_response({"ok": True})


@refuses_bad_input
async def submit_form(request: web.Request) -> web.Response:
    """A filled-in form. With field errors the same form comes back (422) and is re-shown in place;
    with the coach's notes on it (it read as an order) it comes back the same way, but as a 200."""
    pg = pg_of(request)
    data = await json_body(request, pg.words("errors.bad_json"))
    user = pg.user(data)
    values = text_values(data, "values", pg.words)
    async with pg.form_lock(text_field(data, "message_id", pg.words, limit=200)):
        return await _submit(pg, data, user, values)


async def _submit(pg: Playground, data: dict[str, Any], user: str, values: dict[str, str]) -> web.Response:
    row = await message_of(pg, data)
    if row.kind != "form" or row.conversation != dm_of(user):
        raise BadRequest(pg.words("errors.not_a_form", message_id=row.message_id, user=user))
    if row.payload.get("state") != "open":
        raise BadRequest(pg.words("errors.form_already_sent", title=row.payload["form"]["title"]), status=409)
    form = row.payload["form"]
    outcome = await pg.handle(events.FormSubmitted(pg.workspace, user, form["form_id"], values,
                                                   form.get("context", "")))
    if outcome.form is not None:
        shown = as_json(outcome.form)
        pg.platform.replace(row.message_id, {"form": shown, "state": "open"})
        updated = await pg.platform.message(row.message_id)
        assert updated is not None
        if not outcome.form.has_errors:
            return web.json_response({"coached": True, "form": shown, "message": row_json(updated)})
        return web.json_response({"error": pg.words("errors.form_errors"), "form": shown,
                                  "message": row_json(updated)}, status=422)
    pg.platform.replace(row.message_id, {"form": form, "state": "submitted"})
    await pg.platform.flush()
    return web.json_response({"ok": True})


@refuses_bad_input
async def open_home(request: web.Request) -> web.Response:
    pg = pg_of(request)
    user = pg.user(await json_body(request, pg.words("errors.bad_json")))
    await pg.handle(events.HomeOpened(pg.workspace, user))
    return web.json_response({"ok": True})


def _admin_route(run: Any) -> Any:
    @refuses_bad_input
    async def route(request: web.Request) -> web.Response:
        pg = pg_of(request)
        if request.body_exists:  # not can_read_body: the server has read the body already
            await json_body(request, pg.words("errors.bad_json"))
        result = await run(pg.runtime.services, pg.demo(), pg.words)
        await pg.platform.flush()
        status = await pg.publish_admin()
        body = {"notice": result.notice, "changed": result.changed, "admin": status}
        if result.status >= 400:
            body["error"] = result.notice
        return web.json_response(body, status=result.status)

    return route


async def admin_status(request: web.Request) -> web.Response:
    pg = pg_of(request)
    return web.json_response(await admin.status(pg.runtime.services, pg.demo()))


def add_routes(app: web.Application) -> None:
    app.router.add_get(f"{API}/state", state)
    app.router.add_get(f"{API}/events", stream)
    app.router.add_get(f"{API}/admin", admin_status)
    app.router.add_post(f"{API}/command", command)
    app.router.add_post(f"{API}/action", action)
    app.router.add_post(f"{API}/form", submit_form)
    app.router.add_post(f"{API}/home", open_home)
    threads.add_routes(app, API)
    app.router.add_post(f"{API}/admin/start", _admin_route(admin.start_campaign))
    app.router.add_post(f"{API}/admin/nudge", _admin_route(admin.nudge_now))
    app.router.add_post(f"{API}/admin/digest", _admin_route(admin.digest_now))
