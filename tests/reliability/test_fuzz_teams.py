"""Property: whatever reaches /api/messages (any bytes and content type, any activity with fields of
the wrong type or missing, any invoke), the live server answers below 500 and logs no error or
traceback."""
from __future__ import annotations

import base64
import json
import string
import time
import uuid
from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st
from jwt.algorithms import RSAAlgorithm

from tests.reliability.live import sqlite_db, sqlite_runtime, tally, teams, teams_secured  # noqa: F401
from tests.reliability.strategies import bodies, charsets, deep_json, json_values, mutated
from tests.reliability.watch import Tally, recording
from tests.teams.conftest import APP_ID, BOT, CHANNEL, LEADER, MEMBER, PERSONAL, TENANT, Live
from tests.teams.keys import ISSUER, KeyServer

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                         HealthCheck.too_slow])
SERVICE = "__SERVICE_URL__"
header_text = st.text(alphabet=string.printable.strip() + " ", max_size=40)
PERSONAL_CHAT = {"conversationType": "personal", "id": PERSONAL["alex"], "tenantId": TENANT}
CHANNEL_CHAT = {"conversationType": "channel", "isGroup": True, "id": f"{CHANNEL};messageid=7", "tenantId": TENANT}
TEAM_DATA = {"tenant": {"id": TENANT}, "team": {"id": CHANNEL, "name": "Product team"},
             "channel": {"id": CHANNEL, "name": "General"}}
BASE = {"channelId": "msteams", "serviceUrl": SERVICE, "timestamp": "2026-11-24T10:00:00.000Z",
        "recipient": BOT, "channelData": {"tenant": {"id": TENANT}},
        "entities": [{"type": "clientInfo", "locale": "en-GB", "timezone": "Europe/London"}]}
INVOKES = ["adaptiveCard/action", "composeExtension/query", "task/fetch", "task/submit", "signin/verifyState",
           "actionableMessage/executeAction", "fileConsent/invoke", "config/fetch", "message/submitAction",
           "tab/fetch", "healthCheck", "application/search", "nonsense"]
ACTIVITIES = [
    {**BASE, "type": "message", "from": LEADER, "conversation": PERSONAL_CHAT, "text": "status"},
    {**BASE, "type": "message", "from": MEMBER, "conversation": CHANNEL_CHAT, "text": "<at>GoFirst</at> no time",
     "channelData": TEAM_DATA, "entities": [{"type": "mention", "mentioned": BOT, "text": "<at>GoFirst</at>"}]},
    {**BASE, "type": "message", "from": LEADER, "conversation": PERSONAL_CHAT, "replyToId": "1001",
     "value": {"gofirst_kind": "action", "gofirst_action": "nudge.snooze", "gofirst_value": "1", "gofirst_card": "c"}},
    {**BASE, "type": "message", "from": LEADER, "conversation": PERSONAL_CHAT, "replyToId": "1002",
     "value": {"gofirst_kind": "form", "gofirst_form": "share", "gofirst_context": "", "try": "share more"}},
    {**BASE, "type": "conversationUpdate", "from": LEADER, "conversation": PERSONAL_CHAT,
     "membersAdded": [{"id": LEADER["id"]}, {"id": BOT["id"]}]},
    {**BASE, "type": "conversationUpdate", "from": LEADER, "conversation": CHANNEL_CHAT, "membersAdded": [BOT],
     "channelData": {**TEAM_DATA, "eventType": "teamMemberAdded"}},
    {**BASE, "type": "messageUpdate", "from": MEMBER, "conversation": CHANNEL_CHAT, "text": "edited",
     "channelData": {**TEAM_DATA, "eventType": "editMessage"}},
    {**BASE, "type": "messageDelete", "from": MEMBER, "conversation": CHANNEL_CHAT,
     "channelData": {**TEAM_DATA, "eventType": "softDeleteMessage"}},
    {**BASE, "type": "installationUpdate", "from": LEADER, "conversation": PERSONAL_CHAT, "action": "remove"},
    {**BASE, "type": "messageReaction", "from": MEMBER, "conversation": CHANNEL_CHAT,
     "reactionsAdded": [{"type": "like"}], "replyToId": "1003"},
    {**BASE, "type": "invoke", "name": "adaptiveCard/action", "from": LEADER, "conversation": PERSONAL_CHAT,
     "value": {"action": {"type": "Action.Execute", "verb": "go", "data": {"gofirst_kind": "action"}}}},
    {**BASE, "type": "typing", "from": LEADER, "conversation": PERSONAL_CHAT},
    {**BASE, "type": "event", "name": "application/vnd.microsoft.meetingStart", "from": LEADER,
     "conversation": PERSONAL_CHAT, "value": {"id": "m"}},
]


def fresh(activity: object) -> object:
    """A new id per case (a repeated id is a redelivery, answered without work)."""
    if isinstance(activity, dict) and isinstance(activity.get("id", ""), str):
        activity = {**activity, "id": str(uuid.uuid4())}
    return activity


@st.composite
def activities(draw: st.DrawFn) -> bytes:
    activity = dict(draw(st.sampled_from(ACTIVITIES)))
    if activity["type"] == "invoke":
        activity["name"] = draw(st.sampled_from(INVOKES))
    kind = draw(st.sampled_from(["mutated", "mutated", "mutated", "mutated", "deep", "any"]))
    if kind == "deep":
        return draw(deep_json(activity)).encode()
    if kind == "any":
        return json.dumps(draw(json_values)).encode()
    return json.dumps(fresh(draw(mutated(activity, most=3)))).encode()


async def check(live: Live, tally: Tally, body: bytes, content_type: str) -> None:
    body = body.replace(json.dumps(SERVICE).encode(), json.dumps(live.connector.url).encode())
    with recording() as seen:
        async with live.http.post(f"{live.url}/api/messages", data=body,
                                  headers={"Content-Type": content_type}) as response:
            await response.read()
    tally.check(response.status, seen.records, body[:400])


@FUZZ
@given(body=activities())
async def test_any_activity(teams: Live, tally: Tally, body: bytes) -> None:
    await check(teams, tally, body, "application/json; charset=utf-8")


@FUZZ
@given(body=bodies(ACTIVITIES[0]), content_type=st.sampled_from(["application/json", "text/plain", "", "x/y",
                                                                  "application/json-patch+json"]),
       charset=st.just("") | charsets)
async def test_any_bytes_and_content_type(teams: Live, tally: Tally, body: bytes, content_type: str,
                                          charset: str) -> None:
    await check(teams, tally, body, content_type + charset if content_type else "")


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def signed_jwt(header: dict[str, Any], claims: Any, key: Any) -> str:
    """A JWT signed with RS256 whatever its claims hold (PyJWT refuses to write some of them)."""
    head = b64(json.dumps({"alg": "RS256", "typ": "JWT", **header}).encode()) + "." + b64(json.dumps(claims).encode())
    signature = RSAAlgorithm(RSAAlgorithm.SHA256).sign(head.encode(), key) if key is not None else b""
    return head + "." + b64(signature)


@st.composite
def authorizations(draw: st.DrawFn, keys: KeyServer, service_url: str) -> str:
    """An Authorization header as a forger writes it: any text, a JWT with any claims and header,
    signed by the real key, or not at all."""
    kind = draw(st.sampled_from(["text", "bearer", "claims", "claims", "header", "unsigned"]))
    if kind == "text":
        return draw(header_text)
    if kind == "bearer":
        return "Bearer " + draw(header_text)
    now = int(time.time())
    claims: Any = {"iss": ISSUER, "aud": APP_ID, "serviceurl": service_url, "nbf": now - 5, "exp": now + 600}
    header: dict[str, Any] = {"kid": keys.kid}
    if kind == "claims":
        claims = draw(mutated(claims, most=2) | json_values)
    elif kind == "header":
        header.update(draw(st.dictionaries(st.sampled_from(["kid", "alg", "typ", "x5t", "jku"]), json_values,
                                           max_size=3)))
    return "Bearer " + signed_jwt(header, claims, None if kind == "unsigned" else keys.key)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(data=st.data())
async def test_any_authorization_header(teams_secured: tuple[Live, KeyServer], tally: Tally,
                                        data: st.DataObject) -> None:
    live, keys = teams_secured
    header = data.draw(authorizations(keys, live.connector.url))
    activity = {**ACTIVITIES[0], "id": str(uuid.uuid4()), "serviceUrl": live.connector.url}
    with recording() as seen:
        async with live.http.post(f"{live.url}/api/messages", json=activity,
                                  headers={"Authorization": header}) as response:
            await response.read()
    tally.check(response.status, seen.records, header)
    assert response.status in (201, 401), header
