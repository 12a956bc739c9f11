"""Property: whatever a browser (or anyone) POSTs to any playground route with the page's CSRF token
(the page's real messages and buttons, mutated, or any bytes), the live server answers below 500
and logs no error or traceback."""
from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st

from adapters.local.security import CSRF_HEADER
from tests.reliability.live import Playground, playground, sqlite_db, sqlite_runtime, tally  # noqa: F401
from tests.reliability.strategies import bodies, charsets, mutated
from tests.reliability.watch import Tally, recording

FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                         HealthCheck.too_slow])
GENERIC = {"user": "alex", "text": "streak", "action_id": "nudge.share", "value": "1", "message_id": "m-1",
           "thread_id": "m-1", "values": {"try": "share more"}}


picks = st.tuples(st.integers(0, 999), st.integers(0, 999), st.integers(0, 999),
                  st.sampled_from(["streak", "help", "share", "skip", "status", "no time to post"]),
                  st.lists(st.text(max_size=30), min_size=3, max_size=3))


async def real_body(pg: Playground, pick: tuple[int, int, int, str, list[str]]) -> dict[str, Any]:
    """A request the page could send now: a real person, message and one of its buttons. The state
    moves as the fuzz clicks, so the picks are indices (Hypothesis replays them consistently)."""
    message_n, button_n, user_n, text, answers = pick
    async with pg.http.get(f"{pg.url}/playground/api/state") as response:
        state = await response.json()
    if not state["messages"]:
        return dict(GENERIC)
    message = state["messages"][message_n % len(state["messages"])]
    payload = message["payload"]
    buttons = (payload.get("message") or {}).get("actions") or (payload.get("form") or {}).get("extra_actions") or []
    button = buttons[button_n % len(buttons)] if buttons else {"action_id": "nudge.share", "value": ""}
    fields = [str(f.get("name")) for f in (payload.get("form") or {}).get("fields", []) if isinstance(f, dict)]
    people = [p["id"] for p in state["people"]]
    return {"user": people[user_n % len(people)], "message_id": message["message_id"],
            "thread_id": message["message_id"], "action_id": button.get("action_id", ""),
            "value": button.get("value", ""), "text": text,
            "values": dict(zip([*fields, "try", "why", "ask"][:3], answers))}  # same shape every time


@FUZZ
@given(route=st.integers(0, 100), real=st.booleans(), pick=picks, data=st.data(),
       content_type=st.sampled_from(["application/json"] * 4 + ["text/plain", "", "x/y"]),
       charset=st.sampled_from([""] * 4) | charsets)
async def test_any_post_to_any_route(playground: Playground, tally: Tally, route: int, real: bool,
                                     pick: tuple[int, int, int, str, list[str]], data: st.DataObject,
                                     content_type: str, charset: str) -> None:
    routes = playground.posts()
    path = routes[route % len(routes)]
    if real:
        body = json.dumps(data.draw(mutated(await real_body(playground, pick), most=2))).encode()
    else:
        body = data.draw(bodies(GENERIC))
    headers = {"Content-Type": content_type + charset if content_type else "", CSRF_HEADER: playground.token}
    with recording() as seen:
        async with playground.http.post(f"{playground.url}{path}", data=body, headers=headers) as response:
            answer = await response.read()
    tally.check(response.status, seen.records, (path, headers, body[:300]))
    if response.status >= 400:
        assert "error" in json.loads(answer), answer[:200]  # a reason the page can show
