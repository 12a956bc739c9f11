"""A live GoFirst server with the Teams edge on 127.0.0.1, and a local double of the Bot Connector
that the activities' serviceUrl points at: it records every reply, update and new conversation,
and can be told to fail the next calls (429, 403, …) the way Teams does."""
from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from adapters.teams.app import TEAMS, TeamsEdge
from adapters.teams.app import mount as mount_teams
from adapters.teams.auth import Authentication, BotConfig
from botbuilder.integration.aiohttp import CloudAdapter
from bot.config import Settings
from bot.runtime import Runtime
from bot.app.server import build_app
from tests.teams.keys import ISSUER, KeyServer, StandInMsal

TENANT = "72f988bf-0000-4000-8000-000000000001"
WORKSPACE = f"teams:{TENANT}"
BOT = {"id": "28:gofirst-bot", "name": "GoFirst"}
LEADER = {"id": "29:alex", "name": "Alex Rivera", "aadObjectId": "aad-alex"}
MEMBER = {"id": "29:sam", "name": "Sam Okafor", "aadObjectId": "aad-sam"}
PERSONAL = {"alex": "a:1personal-alex", "sam": "a:1personal-sam"}
CHANNEL = "19:product-team@thread.tacv2"
APP_ID = "00000000-aaaa-4bbb-8ccc-000000000042"


@dataclass
class Call:
    method: str
    path: str
    conversation: str
    body: dict[str, Any]
    activity_id: str = ""
    authorization: str = ""
    peer: Any = None   # the client's address and port: one per TCP connection


@dataclass
class Connector:
    """The Bot Connector double: what GoFirst sent, and scripted failures for the next calls."""

    url: str = ""
    calls: list[Call] = field(default_factory=list)
    fail_next: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    ids: Any = field(default_factory=lambda: itertools.count(1000))

    def sent(self, conversation: str | None = None, method: str | None = None) -> list[Call]:
        return [c for c in self.calls if (conversation is None or c.conversation == conversation)
                and (method is None or c.method == method)]

    def cards(self, conversation: str | None = None) -> list[dict[str, Any]]:
        """The Adaptive Cards posted (not updated) to a conversation, oldest first."""
        return [card_of(c.body) for c in self.sent(conversation, "POST") if c.body.get("attachments")]


def card_of(body: dict[str, Any]) -> dict[str, Any]:
    return body["attachments"][0]["content"]


def card_text(card: dict[str, Any]) -> str:
    """Every string a person would read on a card, flattened, to assert on."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in ("text", "title", "value", "label", "errorMessage"):
                if isinstance(node.get(key), str):
                    out.append(node[key])
            for value in node.values():
                if isinstance(value, (dict, list)):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return "\n".join(out)


def submit_data(card: dict[str, Any], title: str | None = None, action_id: str | None = None) -> dict[str, Any]:
    """The `data` of one of a card's buttons, found by its title or action id."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Submit":
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    for action in found:
        if (title and action["title"] == title) or (action_id and action["data"].get("gofirst_action") == action_id):
            return dict(action["data"])
    if title is None and action_id is None and found:
        return dict(found[0]["data"])
    raise AssertionError(f"no button {title or action_id!r} on the card: {[a['title'] for a in found]}")


async def start_connector() -> tuple[Connector, web.AppRunner]:
    connector = Connector()

    async def answer(request: web.Request, call: Call, ok: dict[str, Any]) -> web.Response:
        call.authorization = request.headers.get("Authorization", "")
        call.peer = request.transport.get_extra_info("peername") if request.transport else None
        connector.calls.append(call)
        if connector.fail_next:
            status, headers = connector.fail_next.pop(0)
            return web.json_response({"error": {"code": "Throttled" if status == 429 else "Forbidden",
                                                "message": f"scripted {status}"}}, status=status, headers=headers)
        return web.json_response(ok, status=201 if request.method == "POST" else 200)

    async def send(request: web.Request) -> web.Response:
        activity_id = str(next(connector.ids))
        call = Call("POST", request.path, request.match_info["cid"], await request.json(), activity_id)
        return await answer(request, call, {"id": activity_id})

    async def update(request: web.Request) -> web.Response:
        aid = request.match_info["aid"]
        call = Call("PUT", request.path, request.match_info["cid"], await request.json(), aid)
        return await answer(request, call, {"id": aid})

    async def create(request: web.Request) -> web.Response:
        body = await request.json()
        user = body["members"][0]["id"]
        conversation = f"a:1created-{user}"
        return await answer(request, Call("CREATE", request.path, conversation, body), {"id": conversation})

    app = web.Application()
    app.router.add_post("/v3/conversations/{cid}/activities", send)
    app.router.add_post("/v3/conversations/{cid}/activities/{reply}", send)
    app.router.add_put("/v3/conversations/{cid}/activities/{aid}", update)
    app.router.add_post("/v3/conversations", create)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    connector.url = f"http://127.0.0.1:{port}/"
    return connector, runner


@dataclass
class Live:
    """The running server, the connector double, and helpers that POST real-shaped activities."""

    url: str
    connector: Connector
    runtime: Runtime
    edge: TeamsEdge
    http: aiohttp.ClientSession
    slept: list[float]

    def activity(self, kind: str, sender: dict[str, str], conversation: dict[str, Any], **extra: Any) -> dict[str, Any]:
        return {"type": kind, "id": extra.pop("id", str(uuid.uuid4())), "channelId": "msteams",
                "serviceUrl": self.connector.url, "timestamp": "2026-11-24T10:00:00.000Z",
                "from": sender, "recipient": BOT, "conversation": {"tenantId": TENANT, **conversation},
                "channelData": {"tenant": {"id": TENANT}, **extra.pop("channelData", {})},
                "entities": [{"type": "clientInfo", "locale": "en-GB", "timezone": "Europe/London"}], **extra}

    def personal(self, who: dict[str, str]) -> dict[str, Any]:
        return {"conversationType": "personal", "id": PERSONAL[who["id"][3:]]}

    def channel(self, root: str | None = None) -> dict[str, Any]:
        cid = f"{CHANNEL};messageid={root}" if root else CHANNEL
        return {"conversationType": "channel", "isGroup": True, "id": cid}

    team_data = {"team": {"id": CHANNEL, "name": "Product team"}, "channel": {"id": CHANNEL, "name": "General"}}

    async def post(self, activity: dict[str, Any], headers: dict[str, str] | None = None) -> aiohttp.ClientResponse:
        async with self.http.post(f"{self.url}/api/messages", json=activity, headers=headers) as response:
            await response.read()
            return response

    async def say(self, who: dict[str, str], text: str) -> aiohttp.ClientResponse:
        return await self.post(self.activity("message", who, self.personal(who), text=text, textFormat="plain"))

    async def install_personal(self, who: dict[str, str]) -> None:
        response = await self.post(self.activity("conversationUpdate", who, self.personal(who),
                                                 membersAdded=[{"id": who["id"]}, {"id": BOT["id"]}]))
        assert response.status in (200, 201)

    async def install_team(self, who: dict[str, str]) -> None:
        response = await self.post(self.activity("conversationUpdate", who, self.channel(), membersAdded=[BOT],
                                                 channelData={**self.team_data, "eventType": "teamMemberAdded"}))
        assert response.status in (200, 201)

    async def submit(self, who: dict[str, str], reply_to: str, value: dict[str, Any],
                     conversation: dict[str, Any] | None = None) -> aiohttp.ClientResponse:
        return await self.post(self.activity("message", who, conversation or self.personal(who),
                                             replyToId=reply_to, value=value))

    def last_card(self, who: dict[str, str]) -> tuple[str, dict[str, Any]]:
        call = [c for c in self.connector.sent(PERSONAL[who["id"][3:]], "POST") if c.body.get("attachments")][-1]
        return call.activity_id, card_of(call.body)


async def serve(runtime: Runtime, settings: Settings) -> tuple[web.AppRunner, str]:
    runtime.settings = settings
    app = build_app(runtime, [mount_teams])
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}"


@pytest.fixture
async def live(runtime: Runtime) -> AsyncIterator[Live]:
    """Dev mode (no app id): the connector double needs no token. Retries sleep on a recorder."""
    connector, connector_runner = await start_connector()
    settings = Settings(GOFIRST_DATABASE_URL=runtime.db.url, GOFIRST_TEAMS_DEV_MODE=True)
    runner, url = await serve(runtime, settings)
    edge = runner.app[TEAMS]
    slept: list[float] = []

    async def record_sleep(seconds: float) -> None:
        slept.append(seconds)

    edge.platform.sleep = record_sleep
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20)) as http:
        try:
            yield Live(url, connector, runtime, edge, http, slept)
        finally:
            await runner.cleanup()
            await connector_runner.cleanup()


@pytest.fixture
def keys() -> Iterator[KeyServer]:
    with KeyServer() as server:
        yield server


@pytest.fixture
def msal() -> StandInMsal:
    return StandInMsal(APP_ID)


@pytest.fixture
async def secured(runtime: Runtime, keys: KeyServer, msal: StandInMsal) -> AsyncIterator[Live]:
    """An app id is set, so tokens are checked against the local key server, and GoFirst's own
    requests are signed with tokens from the MSAL stand-in."""
    connector, connector_runner = await start_connector()
    settings = Settings(GOFIRST_DATABASE_URL=runtime.db.url, MicrosoftAppId=APP_ID, MicrosoftAppPassword="not-used")
    runner, url = await serve(runtime, settings)
    edge = runner.app[TEAMS]
    config = BotConfig(settings, TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL=f"{keys.url}/openid",
                       TO_BOT_FROM_CHANNEL_TOKEN_ISSUER=ISSUER)
    edge.adapter = edge.platform.adapter = CloudAdapter(Authentication(config, msal))
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20)) as http:
        try:
            yield Live(url, connector, runtime, edge, http, [])
        finally:
            await runner.cleanup()
            await connector_runner.cleanup()
