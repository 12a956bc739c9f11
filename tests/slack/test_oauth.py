"""Multi-workspace installs over real HTTP: /slack/install → Slack's consent → /slack/oauth_redirect;
tokens stored encrypted in the app database; the installation used for sends; uninstall forgets it."""
from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import text

from adapters.slack.oauth import BOT_SCOPES, fernet_from_secret
from bot.core.messages import Message
from bot.core.port import DeliveryError
from storage.tables import Workspace
from tests.slack.conftest import LEADER, OAUTH_SECRET_KEY, WORKSPACE, Live

STATE_COOKIE = "slack-app-oauth-state"


async def install(live: Live, code: str = "good-code") -> tuple[int, str]:
    async with live.http.get(f"{live.url}/slack/install") as response:
        assert response.status == 200
        page = await response.text()
        cookie = response.headers.get("Set-Cookie", "")
    state = re.search(r"state=([0-9a-f-]{36})", page)
    link = re.search(r'href="(https://slack.com/oauth/v2/authorize[^"]+)"', page)
    assert state and link and "client_id=1234.5678" in link.group(1)
    assert f"scope={','.join(BOT_SCOPES)}&" in link.group(1).replace("%3A", ":").replace("%2C", ",")
    assert f"{STATE_COOKIE}={state.group(1)}" in cookie
    async with live.http.get(f"{live.url}/slack/oauth_redirect", params={"code": code, "state": state.group(1)},
                             headers={"Cookie": f"{STATE_COOKIE}={state.group(1)}"}) as response:
        return response.status, await response.text()


async def test_install_stores_encrypted_tokens_and_sends_with_them(oauth_live: Live) -> None:
    live = oauth_live
    status, _ = await install(live)
    assert status == 200
    async with live.runtime.db.engine.connect() as conn:
        stored = (await conn.execute(text("SELECT bot_token FROM slack_bots"))).scalar_one()
        installed = (await conn.execute(text("SELECT bot_token FROM slack_installations"))).scalar_one()
    assert "xoxb" not in stored and "xoxb" not in installed  # never in plain text at rest
    assert fernet_from_secret(OAUTH_SECRET_KEY).decrypt(stored.encode()).decode() == "xoxb-installed-token"
    async with live.runtime.db.session() as session:
        workspace = await session.get(Workspace, WORKSPACE)
    assert workspace is not None and workspace.active

    # a DM from someone in that workspace is answered with that workspace's token
    await live.event({"type": "message", "channel": "D0LEAD", "channel_type": "im", "user": LEADER,
                      "text": "help", "ts": "1764000500.000001"})
    await live.settle()
    answer = live.double.posts_to(LEADER)[-1]
    assert answer is not None and "GoFirst" in str(answer.args["blocks"])
    assert {c.token for c in live.double.of("chat.postMessage")} == {"xoxb-installed-token"}

    await live.event({"type": "app_uninstalled"})
    await live.settle()
    async with live.runtime.db.engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM slack_bots"))).scalar_one() == 0
    calls = len(live.double.calls)
    with pytest.raises(DeliveryError):
        await live.edge.platform.send_dm(WORKSPACE, LEADER, Message(text="anyone there?"))
    assert len(live.double.calls) == calls

    # installing again brings the workspace back
    status, _ = await install(live)
    assert status == 200
    sent = await live.edge.platform.send_dm(WORKSPACE, LEADER, Message(text="welcome back"))
    assert sent.channel_id == "D0LEAD"


async def test_a_forged_or_reused_state_installs_nothing(oauth_live: Live) -> None:
    live = oauth_live
    async with live.http.get(f"{live.url}/slack/oauth_redirect",
                             params={"code": "good-code", "state": "00000000-0000-0000-0000-000000000000"},
                             headers={"Cookie": f"{STATE_COOKIE}=00000000-0000-0000-0000-000000000000"}) as response:
        assert response.status in (400, 401)  # bolt refuses a state it never issued
    status, _ = await install(live, code="bad-code")
    assert status >= 400
    assert live.double.of("oauth.v2.access")[-1].args["code"] == "bad-code"
    async with live.runtime.db.engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM slack_bots"))).scalar_one() == 0


async def test_the_migration_matches_slack_sdks_stores(migrated_db) -> None:  # type: ignore[no-untyped-def]
    """0003_slack creates slack_sdk's tables (Alembic, not create_all at run time): same columns."""
    from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
    from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
    from sqlalchemy import inspect

    store = AsyncSQLAlchemyInstallationStore("x", migrated_db.engine)
    states = AsyncSQLAlchemyOAuthStateStore(60, migrated_db.engine)
    async with migrated_db.engine.connect() as conn:
        for table in (store.installations, store.bots, states.oauth_states):
            columns = await conn.run_sync(lambda c, name=table.name: {col["name"] for col in inspect(c).get_columns(name)})
            assert columns == {c.name for c in table.columns}, table.name


async def test_no_token_reaches_the_log_even_at_debug(oauth_live: Live, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    status, _ = await install(oauth_live)
    await oauth_live.edge.platform.send_dm(WORKSPACE, LEADER, Message(text="hello"))
    assert status == 200 and "xoxb-installed-token" in str(oauth_live.double.calls[-1].token)
    assert "installed-token" not in caplog.text and "client-secret" not in caplog.text
    assert "xoxb-[redacted]" in caplog.text  # the debug log is still there, without the secret
