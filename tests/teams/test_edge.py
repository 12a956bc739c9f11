"""The HTTP edge itself: tokens are required when an app id is set, and bad input gets a 4xx."""
from __future__ import annotations

import base64
import json

from cryptography.hazmat.primitives.asymmetric import rsa
from sqlmodel import select

from storage.tables.teams import TeamsConversation
from tests.teams.conftest import APP_ID, CHANNEL, LEADER, MEMBER, PERSONAL, Live
from tests.teams.keys import KeyServer


def forged_token() -> str:
    """A well-formed JWT signed by nobody Microsoft knows."""
    def part(value: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()
    return ".".join([part({"alg": "RS256", "kid": "forged", "typ": "JWT"}),
                     part({"aud": APP_ID, "iss": "https://api.botframework.com", "serviceurl": "http://x"}),
                     "c2lnbmF0dXJl"])


async def test_with_an_app_id_requests_without_a_valid_token_are_rejected(secured: Live, keys: KeyServer) -> None:
    live = secured
    activity = live.activity("message", MEMBER, live.channel(root="7"), text="lunch?", channelData=live.team_data)
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    bad = [{}, {"Authorization": "Bearer not-a-jwt"}, {"Authorization": f"Bearer {forged_token()}"},
           {"Authorization": f"Bearer {keys.token(APP_ID, live.connector.url, key=stranger)}"},
           {"Authorization": f"Bearer {keys.token(APP_ID, live.connector.url, kid='unknown')}"},
           {"Authorization": f"Bearer {keys.token('someone-elses-bot', live.connector.url)}"},
           {"Authorization": f"Bearer {keys.token(APP_ID, 'http://evil.example/')}"},
           {"Authorization": f"Bearer {keys.token(APP_ID, live.connector.url, expires_in=-3600)}"}]
    for headers in bad:
        response = await live.post(activity, headers=headers)
        assert response.status == 401, headers
    assert live.connector.calls == []
    async with live.runtime.db.session() as session:
        assert (await session.exec(select(TeamsConversation))).all() == []

    # the same activity with a token signed by the (local) Bot Framework key is accepted and read
    good = {"Authorization": f"Bearer {keys.token(APP_ID, live.connector.url)}"}
    assert (await live.post(activity, headers=good)).status in (200, 201)
    async with live.runtime.db.session() as session:
        assert [c.conversation_id for c in (await session.exec(select(TeamsConversation))).all()] == [CHANNEL]


async def test_bad_requests_get_a_4xx_and_nothing_happens(live: Live) -> None:
    async with live.http.post(f"{live.url}/api/messages", data="help", headers={"Content-Type": "text/plain"}) as r:
        assert r.status == 415
    async with live.http.post(f"{live.url}/api/messages", data="{not json",
                              headers={"Content-Type": "application/json"}) as r:
        assert r.status == 400
    async with live.http.post(f"{live.url}/api/messages", json=["a", "list"]) as r:
        assert r.status == 400
    async with live.http.post(f"{live.url}/api/messages", json={"text": "no type"}) as r:
        assert r.status == 400
    no_tenant = live.activity("message", LEADER, {"conversationType": "personal", "id": PERSONAL["alex"]}, text="help")
    no_tenant["conversation"].pop("tenantId")
    no_tenant["channelData"] = {}
    assert (await live.post(no_tenant)).status in (200, 201)
    assert live.connector.calls == []


async def test_a_redelivered_activity_is_answered_once(live: Live) -> None:
    await live.install_personal(LEADER)
    activity = live.activity("message", LEADER, live.personal(LEADER), text="status")
    await live.post(activity)
    await live.post(activity)
    assert len(live.connector.cards(PERSONAL["alex"])) == 2  # the install card and one status


async def test_an_unreadable_card_submit_gets_a_clear_message(live: Live) -> None:
    await live.install_personal(LEADER)
    response = await live.submit(LEADER, "123", {"somebody": "else's card"})
    assert response.status in (200, 201)
    assert "couldn't read that card" in json.dumps(live.connector.cards(PERSONAL["alex"])[-1])
