"""Teams activities an attacker (or a confused client) sends: fields that are null or not objects, a
sender or conversation without an id, any invoke. Each is a 4xx with the field named and one log
line, or a proper answer; never a 500, a 501 or a traceback, and nothing is stored or sent."""
from __future__ import annotations

import copy
import logging
import uuid
from typing import Any

import pytest
from sqlmodel import select

from storage.tables.teams import TeamsConversation
from tests.reliability.live import sqlite_db, sqlite_runtime, teams  # noqa: F401  (fixtures)
from tests.reliability.test_fuzz_teams import ACTIVITIES, INVOKES, SERVICE
from tests.reliability.watch import noisy, recording
from tests.teams.conftest import Live

MESSAGE, INVOKE = ACTIVITIES[0], ACTIVITIES[10]


def changed(base: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    activity = copy.deepcopy(base)
    node = activity
    for key in path[:-1]:
        node = node.setdefault(key, {})
    if value is ...:
        node.pop(path[-1], None)
    else:
        node[path[-1]] = value
    return activity


async def post(live: Live, activity: dict[str, Any]) -> tuple[int, dict[str, Any], list[logging.LogRecord]]:
    activity = {**activity, "id": str(uuid.uuid4())}
    if activity.get("serviceUrl") == SERVICE:
        activity["serviceUrl"] = live.connector.url
    with recording() as seen:
        async with live.http.post(f"{live.url}/api/messages", json=activity) as response:
            answer = await response.json(content_type=None) if response.status != 201 else {}
    return response.status, answer, seen.records


@pytest.mark.parametrize("path, value, named", [
    (("conversation", "id"), ..., "conversation.id is missing"),
    (("conversation", "id"), None, "conversation.id is missing"),
    (("conversation",), None, "conversation.id is missing"),
    (("conversation",), "a:1personal-alex", "conversation is not an object"),
    (("conversation", "id"), ["a:1personal-alex"], "conversation.id is not text"),
    (("conversation", "tenantId"), 42, "conversation.tenantId is not text"),
    (("from", "id"), ..., "from.id is missing"),
    (("from",), ["29:alex"], "from is not an object"),
    (("recipient",), None, "recipient.id is missing"),
    (("entities",), [None], "entities is not a list of objects"),
    (("entities",), {"type": "mention"}, "entities is not a list"),
    (("entities",), [{"type": "mention", "mentioned": "28:gofirst-bot"}], "mentioned is not an object"),
    (("channelData",), None, "channelData is missing"),
    (("channelData", "tenant"), "72f988bf", "tenant is not an object"),
    (("channelData", "team"), ["x"], "team is not an object"),
    (("serviceUrl",), None, "serviceUrl is not a URL"),
    (("channelData", "channel"), {"id": "19:x", "name": ["General"]}, "channel.name is not text"),
    (("membersAdded",), [{"name": "no id"}], "membersAdded[].id is missing"),
    (("value",), {"gofirst_kind": "action", "gofirst_action": "nudge.skip"}, "replyToId is missing"),
])
async def test_a_field_of_the_wrong_shape_is_a_400_that_names_it(teams: Live, path: tuple[str, ...], value: Any,
                                                                 named: str) -> None:
    status, answer, records = await post(teams, changed(MESSAGE, path, value))
    assert status == 400 and named in answer["error"]
    assert noisy(records) == [] and len([r for r in records if r.levelno == logging.WARNING]) == 1
    assert teams.connector.calls == []
    async with teams.runtime.db.session() as session:
        assert (await session.exec(select(TeamsConversation))).all() == []


@pytest.mark.parametrize("name", INVOKES)
async def test_every_invoke_gets_an_answer_not_a_5xx(teams: Live, name: str) -> None:
    """botbuilder answers some invokes with a body it has already serialised, and unknown ones with
    501: both used to end as a 500 or a 5xx from here."""
    status, answer, records = await post(teams, {**INVOKE, "name": name})
    assert status in (200, 400), (status, answer)
    assert status == 200 or answer  # a 400 says why (ours: "does not handle"; botbuilder's own text)
    assert noisy(records) == []


async def test_a_well_formed_message_still_works(teams: Live) -> None:
    status, _, records = await post(teams, MESSAGE)
    assert status == 201 and noisy(records) == []
    assert teams.connector.cards()  # the status card went out
