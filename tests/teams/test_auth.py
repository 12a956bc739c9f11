"""Microsoft's sign-in services answering slowly must not stall the server: while botbuilder
fetches the Bot Framework signing keys, or MSAL a token for GoFirst's own requests, the event loop
keeps serving other requests. Each test holds the slow call until /healthz has answered; had the
call blocked the loop, /healthz could not answer first and the hold would time out instead."""
from __future__ import annotations

import asyncio

from tests.teams.conftest import APP_ID, LEADER, MEMBER, PERSONAL, Live, card_text
from tests.teams.keys import KeyServer, StandInMsal


async def healthy(live: Live) -> bool:
    async with live.http.get(f"{live.url}/healthz") as response:
        return response.status == 200


async def test_the_server_keeps_answering_while_signing_keys_are_fetched(secured: Live, keys: KeyServer) -> None:
    live = secured
    release = keys.hold()
    activity = live.activity("message", MEMBER, live.channel(root="7"), text="lunch?", channelData=live.team_data)
    posting = asyncio.create_task(live.post(activity, {"Authorization": f"Bearer {keys.token(APP_ID, live.connector.url)}"}))
    assert await asyncio.to_thread(keys.asked.wait, 5), "the key server was never asked"
    assert await healthy(live)
    release.set()
    assert (await posting).status in (200, 201), "the activity is still accepted once the keys arrive"
    assert keys.held == [True], "/healthz was answered only after the key fetch: it blocked the loop"


async def test_requests_arriving_during_a_key_fetch_share_it(secured: Live, keys: KeyServer) -> None:
    live = secured
    release = keys.hold()
    token = {"Authorization": f"Bearer {keys.token(APP_ID, live.connector.url)}"}
    posts = [asyncio.create_task(live.post(live.activity("message", MEMBER, live.channel(root=str(n)), text="hi",
                                                         channelData=live.team_data), token)) for n in range(3)]
    assert await asyncio.to_thread(keys.asked.wait, 5)
    assert await healthy(live)
    await asyncio.sleep(0.2)  # the other two reach the fetch too (were they late, they'd find fresh keys)
    release.set()
    assert [r.status for r in await asyncio.gather(*posts)] == [201, 201, 201]
    assert keys.metadata_requests == 1


async def test_the_server_keeps_answering_while_a_token_is_fetched_and_the_reply_carries_it(
        secured: Live, keys: KeyServer, msal: StandInMsal) -> None:
    live = secured
    release = msal.hold()
    token = {"Authorization": f"Bearer {keys.token(APP_ID, live.connector.url)}"}
    install = live.activity("conversationUpdate", LEADER, live.personal(LEADER),
                            membersAdded=[{"id": LEADER["id"]}, {"id": "28:gofirst-bot"}])
    posting = asyncio.create_task(live.post(install, token))
    assert await asyncio.to_thread(msal.asked.wait, 5), "no token was asked for"
    assert await healthy(live)
    release.set()
    assert (await posting).status in (200, 201)
    assert msal.held and all(msal.held), "/healthz was answered only after the token fetch: it blocked the loop"
    welcome = live.connector.sent(PERSONAL["alex"], "POST")
    assert welcome and "Alex Rivera" in card_text(welcome[0].body["attachments"][0]["content"])
    assert welcome[0].authorization == f"Bearer {StandInMsal.token}"
