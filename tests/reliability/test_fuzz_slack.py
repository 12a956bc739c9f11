"""Property: whatever reaches /slack/events (any headers, any bytes, any signed event, interactivity
payload or slash command), the live server answers below 500 and logs no error and no traceback."""
from __future__ import annotations

import hashlib
import hmac
import json
import string
import time
from typing import Any
from urllib.parse import urlencode

from hypothesis import HealthCheck, given, settings, strategies as st

from tests.reliability.live import slack, sqlite_db, tally  # noqa: F401  (fixtures)
from tests.reliability.strategies import bodies, charsets, deep_json, json_values, mutated
from tests.reliability.watch import Tally, recording
from tests.slack.conftest import CHANNEL, LEADER, SAM, SECRET, Live
from tests.slack.double import BOT_USER, TEAM_ID

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                         HealthCheck.too_slow])
MESSAGES = [
    {"type": "message", "channel": "D0LEAD", "channel_type": "im", "user": LEADER, "text": "streak", "ts": "1.1"},
    {"type": "message", "channel": CHANNEL, "channel_type": "channel", "user": SAM, "text": "no time",
     "ts": "2.2", "thread_ts": "1.1"},
    {"type": "message", "subtype": "message_changed", "channel": CHANNEL,
     "message": {"type": "message", "user": SAM, "text": "edited", "ts": "2.2", "thread_ts": "1.1"}},
    {"type": "message", "subtype": "message_deleted", "channel": CHANNEL, "deleted_ts": "2.2",
     "previous_message": {"type": "message", "user": SAM, "ts": "2.2"}},
    {"type": "app_home_opened", "user": LEADER, "channel": "D0LEAD", "tab": "home"},
    {"type": "member_joined_channel", "user": SAM, "channel": CHANNEL, "team": TEAM_ID},
    {"type": "app_mention", "user": SAM, "channel": CHANNEL, "text": f"<@{BOT_USER}> help", "ts": "3.3"},
    {"type": "tokens_revoked", "tokens": {"bot": ["U0OTHER"]}},
]
ENVELOPE = {"token": "legacy", "team_id": TEAM_ID, "api_app_id": "A0GOFIRST", "type": "event_callback",
            "event": MESSAGES[0], "event_id": "Ev0", "event_time": 1764000000,
            "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER, "is_bot": True}]}
USER = {"id": LEADER, "team_id": TEAM_ID}
PAYLOADS = [
    {"type": "block_actions", "user": USER, "team": {"id": TEAM_ID}, "api_app_id": "A0GOFIRST", "trigger_id": "1.t",
     "container": {"type": "message", "channel_id": "D0LEAD", "message_ts": "1.1"}, "channel": {"id": "D0LEAD"},
     "message": {"ts": "1.1", "type": "message"},
     "actions": [{"type": "button", "action_id": "nudge.share", "block_id": "b", "value": "1", "action_ts": "1"}]},
    {"type": "view_submission", "team": {"id": TEAM_ID}, "user": USER, "api_app_id": "A0GOFIRST",
     "trigger_id": "2.t", "view": {"id": "V1", "type": "modal", "team_id": TEAM_ID, "callback_id": "share",
                                   "private_metadata": "", "state": {"values": {
                                       "try": {"try": {"type": "plain_text_input", "value": "share my work"}},
                                       "channel": {"channel": {"type": "conversations_select",
                                                               "selected_conversation": CHANNEL}}}}}},
    {"type": "view_closed", "team": {"id": TEAM_ID}, "user": USER, "view": {"id": "V1", "callback_id": "share"}},
    {"type": "shortcut", "callback_id": "gofirst", "team": {"id": TEAM_ID}, "user": USER, "trigger_id": "3.t"},
]
COMMAND = {"token": "legacy", "team_id": TEAM_ID, "team_domain": "t", "channel_id": CHANNEL, "channel_name": "p",
           "user_id": LEADER, "user_name": "alex", "command": "/gofirst", "text": "streak", "api_app_id": "A0GOFIRST",
           "response_url": "https://hooks.slack.invalid/1", "trigger_id": "4.t"}
header_text = st.text(alphabet=string.printable.strip() + " ", max_size=30)
timestamps = st.sampled_from(["now", "now", "stale", "", "abc", "1e9", "-1", " 1", "99999999999999999999999",
                              "١٢٣٤", "0x10"]) | header_text


def signed_headers(body: bytes, content_type: str, timestamp: str = "now") -> dict[str, str]:
    ts = {"now": str(int(time.time())), "stale": str(int(time.time()) - 3600)}.get(timestamp, timestamp)
    digest = hmac.new(SECRET.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()
    signature = f"v0={digest}"  # as Slack signs: over the raw bytes, whatever they are
    return {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature}


async def post(live: Live, body: bytes, headers: dict[str, str]) -> int:
    """One request, then the work it started (listeners run after the ack), inside the log watch."""
    async with live.http.post(f"{live.url}/slack/events", data=body, headers=headers) as response:
        await response.read()
    await live.settle()
    return response.status


async def check(live: Live, tally: Tally, body: bytes, headers: dict[str, str]) -> None:
    with recording() as seen:
        status = await post(live, body, headers)
    tally.check(status, seen.records, (headers, body[:300]))


@FUZZ
@given(body=bodies(ENVELOPE), content_type=st.sampled_from(["application/json"] * 3 + [
           "application/x-www-form-urlencoded", "text/plain", "", "multipart/form-data", "x/y"]),
       charset=st.just("") | charsets, timestamp=timestamps,
       signature=st.sampled_from(["valid", "valid", "forged", "missing", "text"]), text=header_text)
async def test_any_headers_and_body(slack: Live, tally: Tally, body: bytes, content_type: str, charset: str,
                                    timestamp: str, signature: str, text: str) -> None:
    headers = signed_headers(body, content_type + charset if content_type else "", timestamp)
    if signature == "forged":
        headers["X-Slack-Signature"] = "v0=" + "0" * 64
    elif signature == "missing":
        del headers["X-Slack-Signature"]
    elif signature == "text":
        headers["X-Slack-Signature"] = text
    await check(slack, tally, body, headers)


@st.composite
def events(draw: st.DrawFn) -> bytes:
    envelope = {**ENVELOPE, "event": draw(st.sampled_from(MESSAGES)), "event_id": f"Ev{draw(st.uuids()).hex}"}
    kind = draw(st.sampled_from(["mutated", "mutated", "mutated", "event", "deep", "any"]))
    if kind == "deep":
        return draw(deep_json(envelope)).encode()
    if kind == "any":
        return json.dumps(draw(json_values)).encode()
    if kind == "event":
        envelope["event"] = draw(json_values)
        return json.dumps(envelope).encode()
    return json.dumps(draw(mutated(envelope, most=4))).encode()


@FUZZ
@given(body=events(), charset=st.sampled_from(["", "; charset=utf-8"]))
async def test_signed_event_callbacks(slack: Live, tally: Tally, body: bytes, charset: str) -> None:
    await check(slack, tally, body, signed_headers(body, "application/json" + charset))


@st.composite
def interactions(draw: st.DrawFn) -> bytes:
    payload = draw(st.sampled_from(PAYLOADS))
    kind = draw(st.sampled_from(["mutated", "mutated", "mutated", "deep", "any", "text"]))
    if kind == "deep":
        text = draw(deep_json(payload))
    elif kind == "any":
        text = json.dumps(draw(json_values))
    elif kind == "text":
        text = draw(st.text(max_size=40))
    else:
        text = json.dumps(draw(mutated(payload, most=4)))
    return urlencode({"payload": text}).encode()


@FUZZ
@given(body=interactions())
async def test_signed_interactivity_payloads(slack: Live, tally: Tally, body: bytes) -> None:
    await check(slack, tally, body, signed_headers(body, "application/x-www-form-urlencoded"))


@st.composite
def commands(draw: st.DrawFn) -> bytes:
    fields: dict[str, Any] = dict(COMMAND)
    for name in draw(st.lists(st.sampled_from(sorted(COMMAND)), max_size=4)):
        if draw(st.booleans()):
            fields.pop(name, None)
        else:
            fields[name] = draw(st.text(max_size=40))
    fields.update(draw(st.dictionaries(st.text(max_size=8), st.text(max_size=20), max_size=2)))
    return urlencode(fields).encode()


@FUZZ
@given(body=commands())
async def test_signed_slash_commands(slack: Live, tally: Tally, body: bytes) -> None:
    await check(slack, tally, body, signed_headers(body, "application/x-www-form-urlencoded"))
