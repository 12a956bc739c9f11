"""The whole loop through Microsoft's own local Teams client (M365 Agents Playground): install →
help → share form → submit → post to the channel → a teammate's reply → streak. The playground
sends real Teams activities to our live server and plays the Bot Connector for every answer."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from sqlmodel import select

from adapters.teams.app import mount as mount_teams
from bot.clock import FixedClock
from bot.config import Settings
from bot.delivery import send_now
from bot.runtime import Runtime, build_runtime
from bot.app.server import build_app
from storage.db import Database
from storage.migrate import upgrade
from storage.repositories.people import find_person
from storage.tables import Campaign, Reply, Share
from tests.conftest import START
from tests.teams.conftest import card_text, submit_data
from tests.teams.playground import Playground, install

pytestmark = pytest.mark.slow
FILLED = {
    "try": "I'm trying to share my weekly priorities in the channel before I ask you for yours",
    "why": "so you can see what I'm working on and push back early",
    "barrier": "my barrier is that writing in the open feels exposed",
    "ask": "what gets in your way when you share work in progress?",
}


class Turns:
    """Counts finished POSTs to /api/messages, so a test can wait for the bot without sleeping."""

    def __init__(self) -> None:
        self.started = self.done = 0
        self.changed = asyncio.Condition()

    def mount(self, app: web.Application, _runtime: Any) -> None:
        @web.middleware
        async def count(request: web.Request, handler: Any) -> web.StreamResponse:
            if request.path == "/api/messages":
                self.started += 1
            try:
                return await handler(request)
            finally:
                if request.path == "/api/messages":
                    async with self.changed:
                        self.done += 1
                        self.changed.notify_all()

        app.middlewares.append(count)

    async def wait_idle_past(self, count: int, timeout: float = 15) -> None:
        """Until a turn beyond `count` has started and every started turn has finished."""
        async with asyncio.timeout(timeout):
            async with self.changed:
                await self.changed.wait_for(lambda: self.started > count and self.done == self.started)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[Playground, Runtime, Turns]]:
    cli = install()
    if isinstance(cli, str):
        pytest.skip(cli)
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'gofirst.db'}")
    await upgrade(db)
    settings = Settings(GOFIRST_DATABASE_URL=db.url, GOFIRST_TEAMS_DEV_MODE=True)
    runtime = build_runtime(settings, clock=FixedClock(START), db=db)
    turns = Turns()
    app = build_app(runtime, [turns.mount, mount_teams])
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    bot_url = f"http://127.0.0.1:{runner.addresses[0][1]}/api/messages"
    workdir = tmp_path / "playground"
    workdir.mkdir()
    playground = Playground(cli, bot_url, workdir)
    try:
        await playground.start()
        yield playground, runtime, turns
    finally:
        await playground.stop()
        await runner.cleanup()
        await db.dispose()


def bot_card(conversation: str, action: str = "createMessage", contains: str = "") -> Any:
    def match(event: dict[str, Any]) -> bool:
        message = event.get("message") or {}
        if event.get("action") != action or event.get("actionConversationId", "").split(";")[0] != conversation:
            return False
        cards = [a["content"] for a in message.get("attachments") or [] if "adaptive" in a.get("contentType", "")]
        return bool(cards) and contains.lower() in card_text(cards[0]).lower()
    return match


async def step(pg: Playground, turns: Turns, act: Any, predicate: Any) -> dict[str, Any]:
    """Does one thing in Teams, waits for the bot's answer and for its turn to finish, as a person
    would before the next click (the engine commits after it has sent)."""
    mark, before = len(pg.events), turns.started
    await act
    event = await pg.wait_for(predicate, after=mark)
    await turns.wait_idle_past(before)
    return event


def card(event: dict[str, Any]) -> dict[str, Any]:
    return event["message"]["attachments"][0]["content"]


async def test_install_help_share_post_reply_streak_in_microsofts_playground(
        world: tuple[Playground, Runtime, Turns]) -> None:
    pg, runtime, turns = world
    db = runtime.db
    chat, team = pg.personal_chat, pg.team

    await step(pg, turns, pg.install(chat), bot_card(chat, contains="streak"))  # the welcome: a home card
    await step(pg, turns, pg.install(team),
               lambda e: e.get("action") == "createMessage" and e.get("actionConversationId") == team)

    help_card = card(await step(pg, turns, pg.say(chat, "help"), bot_card(chat, contains="snooze")))
    assert all(word in card_text(help_card) for word in ("share", "streak", "optout", "status"))

    form_event = await step(pg, turns, pg.say(chat, "share"), bot_card(chat, contains="barrier"))
    form_id, form = form_event["message"]["messageId"], card(form_event)
    channel_choice = [i for i in form["body"] if i.get("id") == "channel"][0]
    assert channel_choice["type"] == "Input.ChoiceSet" and channel_choice["choices"][0]["value"] == team

    shown_again = await step(pg, turns, pg.submit(chat, form_id, {**submit_data(form), **FILLED, "barrier": "",
                                                                 "channel": team}),
                             bot_card(chat, action="updateMessage"))
    assert shown_again["message"]["messageId"] == form_id  # the same card, now with the error

    preview_event = await step(pg, turns, pg.submit(chat, form_id, {**submit_data(form), **FILLED, "channel": team}),
                               bot_card(chat, contains="exposed"))
    preview = card(preview_event)

    post_event = await step(pg, turns, pg.submit(chat, preview_event["message"]["messageId"],
                                                 submit_data(preview, action_id="share.post")),
                            bot_card(team, contains="writing in the open feels exposed"))
    post_id = post_event["message"]["messageId"]
    assert pg.config["currentUser"]["name"] in card_text(card(post_event))  # a name, not an id

    # a teammate answers in the post's thread, no @mention needed (RSC ChannelMessage.Read.Group)
    teammate = pg.config["users"][0]
    before = turns.started
    await pg.as_someone_else(f"{team};messageid={post_id}", {"id": teammate["id"], "name": teammate["name"]},
                             "my barrier is not knowing what's OK to share")
    await turns.wait_idle_past(before)
    async with db.session() as session:
        share = (await session.exec(select(Share).where(Share.status == "posted"))).one()
        replies = (await session.exec(select(Reply))).all()
    assert share.platform_message_id == post_id and share.channel_id == team
    assert [r.text for r in replies] == ["my barrier is not knowing what's OK to share"]

    streak = card(await step(pg, turns, pg.say(chat, "streak"), bot_card(chat, contains="streak")))
    assert "answer at least one reply" in card_text(streak).lower()  # waiting for the leader to answer

    # next week's nudge goes out proactively; its Snooze button rewrites it in place
    async with db.session() as session:
        leader = await find_person(session, f"teams:{pg.config['tenantId']}", pg.me)
        assert leader is not None and leader.id is not None
        campaign = Campaign(workspace_id=leader.workspace_id, name="Going first", pack="going-first",
                            state="active", audience_kind="leaders", audience_ids=[pg.me])
        session.add(campaign)
        await session.flush()
        campaign_id, leader_id = campaign.id or 0, leader.id
    runtime.services.clock.advance(timedelta(days=7))  # type: ignore[attr-defined]
    mark = len(pg.events)
    nudge, sent = await send_now(runtime.services, campaign_id, leader_id)
    assert sent
    nudge_event = await pg.wait_for(bot_card(chat), after=mark)
    assert nudge_event["message"]["messageId"] == nudge.platform_message_id
    snoozed = await step(pg, turns, pg.submit(chat, nudge.platform_message_id or "",
                                              submit_data(card(nudge_event), action_id="nudge.snooze")),
                         bot_card(chat, action="updateMessage"))
    assert snoozed["message"]["messageId"] == nudge.platform_message_id and "actions" not in card(snoozed)
