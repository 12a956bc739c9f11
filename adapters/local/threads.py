"""The team channel's threads in the playground: a teammate's reply (once per request id, so a
double click or a retry makes one reply), its edit and its deletion, each delivered to the engine
as the channel would deliver it."""
from __future__ import annotations

from typing import Any

from aiohttp import web

from adapters.local.platform import row_json
from adapters.local.requests import BadRequest, json_body, refuses_bad_input, text_field
from adapters.local.state import Playground, message_of, pg_of
from bot.core import events
from storage.tables.playground import PlaygroundMessage

REPLIES_REMEMBERED = 1000


async def _reply_row(pg: Playground, data: dict[str, Any], user: str) -> PlaygroundMessage:
    row = await message_of(pg, data)
    if row.kind != "reply" or not row.conversation.startswith("channel:"):
        raise BadRequest(pg.words("errors.unknown_message", message_id=row.message_id))
    if row.author != user:
        raise BadRequest(pg.words("errors.not_your_reply", message_id=row.message_id), status=403)
    return row


@refuses_bad_input
async def reply(request: web.Request) -> web.Response:
    """A teammate's reply in a post's thread, as the channel would deliver it to the bot."""
    pg = pg_of(request)
    data = await json_body(request, pg.words("errors.bad_json"))
    user, text = pg.user(data), text_field(data, "text", pg.words)
    request_id = text_field(data, "request_id", pg.words, limit=80, required=False)
    parent = await message_of(pg, data, "thread_id")
    if not parent.conversation.startswith("channel:") or parent.thread_id is not None:
        raise BadRequest(pg.words("errors.not_a_thread", thread_id=parent.message_id))
    async with pg.form_lock(f"reply:{user}:{request_id}" if request_id else f"reply:{user}"):
        made = pg.replies_made.get(f"{user}:{request_id}") if request_id else None
        if made is None:  # a resent request (a double click, a retry) finds the reply it made
            made = await _new_reply(pg, parent, user, text)
            if request_id:
                pg.replies_made[f"{user}:{request_id}"] = made
                while len(pg.replies_made) > REPLIES_REMEMBERED:
                    pg.replies_made.popitem(last=False)
    stored = await pg.platform.message(made)
    assert stored is not None
    return web.json_response({"message": row_json(stored)}, status=201)


async def _new_reply(pg: Playground, parent: PlaygroundMessage, user: str, text: str) -> str:
    message_id = pg.platform.add(pg.workspace, parent.conversation, user, "reply",
                                 {"text": text, "edited": False}, thread_id=parent.message_id)
    await pg.platform.flush()
    channel = parent.conversation.split(":", 1)[1]
    await pg.handle(events.ChannelReplyPosted(pg.workspace, channel, parent.message_id, message_id, user, text))
    return message_id


@refuses_bad_input
async def edit_reply(request: web.Request) -> web.Response:
    pg = pg_of(request)
    data = await json_body(request, pg.words("errors.bad_json"))
    user, text = pg.user(data), text_field(data, "text", pg.words)
    row = await _reply_row(pg, data, user)
    pg.platform.replace(row.message_id, {"text": text, "edited": True})
    await pg.platform.flush()
    await pg.handle(events.ReplyEdited(pg.workspace, row.conversation.split(":", 1)[1], row.message_id, text))
    return web.json_response({"ok": True})


@refuses_bad_input
async def delete_reply(request: web.Request) -> web.Response:
    pg = pg_of(request)
    data = await json_body(request, pg.words("errors.bad_json"))
    row = await _reply_row(pg, data, pg.user(data))
    pg.platform.remove(row.message_id)
    await pg.platform.flush()
    await pg.handle(events.ReplyDeleted(pg.workspace, row.conversation.split(":", 1)[1], row.message_id))
    return web.json_response({"ok": True})




def add_routes(app: web.Application, api: str) -> None:
    app.router.add_post(f"{api}/replies", reply)
    app.router.add_post(f"{api}/replies/edit", edit_reply)
    app.router.add_post(f"{api}/replies/delete", delete_reply)
