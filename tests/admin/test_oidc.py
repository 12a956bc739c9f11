"""Sign in with Slack against a local OpenID Connect issuer: a verified email with an account in the
Slack workspace the token names signs in; the same email from another workspace, a token signed
with an unpublished key, or a callback whose state isn't ours signs nobody in."""
from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlmodel import select

from bot.clock import FixedClock
from storage.db import Database
from storage.tables import AuditEntry
from tests.admin.conftest import ADMIN, Console, running
from tests.admin.oidc_double import CLIENT_ID, CLIENT_SECRET, OidcDouble
from tests.slack.double import TEAM_ID, SlackDouble


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


@pytest.fixture
async def issuer() -> AsyncIterator[OidcDouble]:
    double = await OidcDouble(email=ADMIN.upper(), team=TEAM_ID).start()
    try:
        yield double
    finally:
        await double.stop()


@pytest.fixture
async def sso(migrated_db: Database, clock: FixedClock, double: SlackDouble,
              issuer: OidcDouble) -> AsyncIterator[Console]:
    async with running(migrated_db, clock, double, SLACK_CLIENT_ID=CLIENT_ID, SLACK_CLIENT_SECRET=CLIENT_SECRET,
                       SLACK_OIDC_URL=issuer.url) as server:
        yield server


async def test_sign_in_with_slack_lands_in_the_tokens_own_workspace(sso: Console, issuer: OidcDouble) -> None:
    client = sso.client()
    status, login = await client.get("/admin/login")
    assert 'href="/admin/oidc/start">Sign in with Slack' in login
    status, page = await client.get("/admin/oidc/start")
    assert status == 200 and "Sign out" in page and "dana@acme.example (admin)" in page
    async with sso.runtime.db.session() as session:
        entry = (await session.exec(select(AuditEntry).where(AuditEntry.action == "admin.signed_in"))).one()
    assert entry.detail == {"via": "slack"} and entry.workspace_id == f"slack:{TEAM_ID}"


@pytest.mark.parametrize("change", ["other team", "forged key", "unverified email"])
async def test_nobody_signs_in_on_a_token_that_does_not_hold(sso: Console, issuer: OidcDouble, change: str) -> None:
    if change == "other team":
        issuer.team = "T0RIVAL"  # the same email, vouched for by another Slack workspace
    issuer.forge, issuer.verified = change == "forged key", change != "unverified email"
    client = sso.client()
    status, page = await client.get("/admin/oidc/start")
    assert status == 403 and "Sign out" not in page
    assert (await client.get("/admin", follow=False))[0] == 303


async def test_a_callback_with_a_state_that_is_not_ours_is_refused(sso: Console) -> None:
    client = sso.client()
    status, page = await client.get("/admin/oidc/callback?code=abc&state=guessed")
    assert status == 403 and "didn&#39;t complete" in page
