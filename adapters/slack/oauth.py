"""Multi-workspace installs: slack_sdk's SQLAlchemy stores in the app database, with every token
encrypted at rest (slack_sdk stores them in plain text) under a key derived from GOFIRST_SECRET_KEY."""
from __future__ import annotations

import base64
import copy
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from slack_sdk.oauth.state_utils import OAuthStateUtils
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings

log = logging.getLogger(__name__)
TOKEN_FIELDS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")
# What GoFirst needs and nothing more; manifest.json declares the same list (a test checks).
BOT_SCOPES = ("channels:history", "channels:read", "chat:write", "chat:write.customize", "commands", "groups:history",
              "groups:read", "im:history", "im:write", "usergroups:read", "users:read", "users:read.email")
STATE_SECONDS = 600
Saved = Callable[[str | None, str | None], Awaitable[None]]


class MissingSecretKey(RuntimeError):
    """OAuth mode stores tokens, which must not be stored without a key to encrypt them."""


def fernet_from_secret(secret: str) -> Fernet:
    """A Fernet key derived with HKDF, so any secret length works and the raw secret is never the key."""
    if not secret:
        raise MissingSecretKey("GOFIRST_SECRET_KEY is empty; set it to a long random string "
                               "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)")
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"gofirst/slack/installation-tokens",
               info=b"fernet").derive(secret.encode("utf-8"))
    return Fernet(base64.urlsafe_b64encode(key))


class EncryptedInstallationStore(AsyncSQLAlchemyInstallationStore):
    """slack_sdk's store with tokens encrypted on the way in and decrypted on the way out."""

    def __init__(self, client_id: str, engine: AsyncEngine, fernet: Fernet, on_saved: Saved | None = None) -> None:
        super().__init__(client_id=client_id, engine=engine, logger=log)
        self._fernet = fernet
        self._on_saved = on_saved

    def _seal(self, item: Any) -> Any:
        sealed = copy.copy(item)
        for name in TOKEN_FIELDS:
            value = getattr(sealed, name, None)
            if value:
                setattr(sealed, name, self._fernet.encrypt(value.encode("utf-8")).decode("ascii"))
        return sealed

    def _open(self, item: Any) -> Any:
        if item is None:
            return None
        for name in TOKEN_FIELDS:
            value = getattr(item, name, None)
            if value:
                try:
                    setattr(item, name, self._fernet.decrypt(value.encode("ascii")).decode("utf-8"))
                except InvalidToken:
                    # Never log the value: a token under another key is as secret as a good one.
                    log.error("a stored Slack %s cannot be decrypted (GOFIRST_SECRET_KEY changed?); "
                              "reinstall the app in that workspace", name)
                    setattr(item, name, None)
        return item

    async def async_save(self, installation: Installation) -> None:
        await super().async_save(self._seal(installation))
        if self._on_saved is not None:
            await self._on_saved(installation.enterprise_id, installation.team_id)

    async def async_save_bot(self, bot: Bot) -> None:
        # async_save hands over installation.to_bot() built from the sealed copy: already encrypted.
        if bot.bot_token and bot.bot_token.startswith("xox"):
            bot = self._seal(bot)
        await super().async_save_bot(bot)

    async def async_find_bot(self, *, enterprise_id: str | None, team_id: str | None,
                             is_enterprise_install: bool | None = False) -> Bot | None:
        return self._open(await super().async_find_bot(
            enterprise_id=enterprise_id, team_id=team_id, is_enterprise_install=is_enterprise_install))

    async def async_find_installation(self, *, enterprise_id: str | None, team_id: str | None,
                                      user_id: str | None = None,
                                      is_enterprise_install: bool | None = False) -> Installation | None:
        return self._open(await super().async_find_installation(
            enterprise_id=enterprise_id, team_id=team_id, user_id=user_id,
            is_enterprise_install=is_enterprise_install))


def oauth_settings(settings: Settings, engine: AsyncEngine, on_saved: Saved | None = None) -> AsyncOAuthSettings:
    """Install at /slack/install, come back to /slack/oauth_redirect; stores in the app database."""
    assert settings.slack_client_id and settings.slack_client_secret
    secret = settings.secret_key.get_secret_value() if settings.secret_key else ""
    store = EncryptedInstallationStore(settings.slack_client_id, engine, fernet_from_secret(secret), on_saved)
    redirect_uri = f"{settings.public_url.rstrip('/')}/slack/oauth_redirect" if settings.public_url else None
    oauth = AsyncOAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret.get_secret_value(),
        scopes=list(BOT_SCOPES),
        redirect_uri=redirect_uri,
        installation_store=store,
        state_store=AsyncSQLAlchemyOAuthStateStore(expiration_seconds=STATE_SECONDS, engine=engine, logger=log),
        state_expiration_seconds=STATE_SECONDS,
        logger=log,
    )
    oauth.state_utils = LaxStateUtils(cookie_name=oauth.state_cookie_name, expiration_seconds=STATE_SECONDS)
    return oauth


class LaxStateUtils(OAuthStateUtils):
    """slack_sdk's state cookie with SameSite=Lax: sent back on Slack's top-level redirect to
    /slack/oauth_redirect, never on a request another site makes in the background."""

    def build_set_cookie_for_new_state(self, state: str) -> str:
        return super().build_set_cookie_for_new_state(state) + "; SameSite=Lax"

    def build_set_cookie_for_deletion(self) -> str:
        return super().build_set_cookie_for_deletion() + "; SameSite=Lax"
