"""botbuilder's authentication, with its blocking network calls kept off the event loop.

botbuilder 4.17 fetches Bot Framework's OpenID metadata and signing keys with a synchronous
`requests.get` (no timeout) inside async code (jwt_token_extractor._OpenIdMetadata._refresh), and
msrest signs every Bot Connector request by calling MSAL synchronously (AppCredentials.signed_session
→ get_access_token). Either would stall every request the server is serving while Microsoft answers.
Here both run in a worker thread: keys with a timeout and one fetch shared by concurrent requests,
tokens fetched before a connector client exists, so signing a request only sets a header."""
from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import requests
import requests.adapters
from botbuilder.integration.aiohttp import (
    ConfigurationBotFrameworkAuthentication,
    ConfigurationServiceClientCredentialFactory,
)
from botbuilder.schema import Activity
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AppCredentials,
    AuthenticateRequestResult,
    ClaimsIdentity,
    ConnectorFactory,
    ServiceClientCredentialsFactory,
)
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor, _OpenIdMetadata
from msrest.authentication import Authentication as MsrestAuthentication
from msrest.pipeline import SansIOHTTPPolicy

from bot.config import Settings

FETCH_TIMEOUT = 10.0  # seconds for each of the two key requests


class BotConfig:
    """The attribute names ConfigurationBotFrameworkAuthentication reads, from our Settings
    (`overrides` let a test point token validation at a local key server)."""

    def __init__(self, settings: Settings, **overrides: str) -> None:
        for name, value in overrides.items():
            setattr(self, name, value)
        self.APP_ID = settings.teams_app_id
        self.APP_PASSWORD = settings.teams_app_password.get_secret_value() if settings.teams_app_password else ""
        self.APP_TYPE = settings.teams_app_type or "MultiTenant"
        self.APP_TENANTID = settings.teams_app_tenant_id or ""


class OffLoopMetadata(_OpenIdMetadata):
    """Bot Framework's signing keys for one metadata URL, refreshed in a worker thread."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self._fetching: asyncio.Task[list[dict[str, Any]]] | None = None

    async def _refresh(self) -> None:
        task, loop = self._fetching, asyncio.get_running_loop()
        if task is None or task.done() or task.get_loop() is not loop:
            task = self._fetching = loop.create_task(asyncio.to_thread(self._fetch))
        keys = await asyncio.shield(task)  # a request that gives up leaves the fetch to the others
        self.keys, self.last_updated = keys, datetime.now()

    def _fetch(self) -> list[dict[str, Any]]:
        with requests.Session() as http:
            metadata = http.get(self.url, timeout=FETCH_TIMEOUT)
            metadata.raise_for_status()
            keys = http.get(metadata.json()["jwks_uri"], timeout=FETCH_TIMEOUT)
            keys.raise_for_status()
            return list(keys.json()["keys"])


def metadata_for(url: str) -> OffLoopMetadata:
    cached = JwtTokenExtractor.metadataCache.get(url)
    if not isinstance(cached, OffLoopMetadata):
        cached = JwtTokenExtractor.metadataCache[url] = OffLoopMetadata(url)
    return cached


def keep_key_fetches_off_the_loop() -> None:
    """Every JwtTokenExtractor botbuilder builds (channel, emulator, skill, government) gets its
    metadata from this one static method; the SDK is archived, so this seam will not move."""
    JwtTokenExtractor.get_open_id_metadata = staticmethod(metadata_for)


class BearerToken(MsrestAuthentication, SansIOHTTPPolicy):
    """A token fetched already: what msrest calls, on the loop, to sign each request. As a pipeline
    policy it signs the request itself, not the (shared, see SharedRequests) session."""

    def __init__(self, token: str) -> None:
        self.token = token

    def on_request(self, request: Any, **kwargs: Any) -> None:
        request.http_request.headers["Authorization"] = f"Bearer {self.token}"

    def signed_session(self, session: requests.Session | None = None) -> requests.Session:
        session = super().signed_session(session)
        session.headers["Authorization"] = f"Bearer {self.token}"
        return session


class OffLoopCredentials(ServiceClientCredentialsFactory):
    """botbuilder's credential factory, with MSAL's token fetch moved to a worker thread. One
    credential object per app, scope and endpoint, so MSAL's token cache is reused."""

    def __init__(self, inner: ServiceClientCredentialsFactory) -> None:
        self.inner = inner
        self._credentials: dict[tuple[str, str, str, bool], MsrestAuthentication] = {}

    async def is_valid_app_id(self, app_id: str) -> bool:
        return await self.inner.is_valid_app_id(app_id)

    async def is_authentication_disabled(self) -> bool:
        return await self.inner.is_authentication_disabled()

    async def create_credentials(self, app_id: str, oauth_scope: str, login_endpoint: str,
                                 validate_authority: bool) -> MsrestAuthentication:
        key = (app_id, oauth_scope, login_endpoint, validate_authority)
        credentials = self._credentials.get(key)
        if credentials is None:
            credentials = self._credentials[key] = await self.inner.create_credentials(*key)
        if not isinstance(credentials, AppCredentials) or not credentials.microsoft_app_id:
            return credentials  # dev mode: nothing to sign with
        return BearerToken(await asyncio.to_thread(credentials.get_access_token))


CONNECTIONS = 64   # kept-alive connections to the Bot Connector per process


class SharedRequests:
    """One `requests` connection pool for every connector client of the process. botbuilder builds
    a ConnectorClient, and msrest a `requests.Session`, for every proactive send: a new TCP (and
    TLS) connection per message. msrest (archived upstream) keeps the session in a thread-local of
    its sender, read on the event loop's thread, so that is where the shared one goes."""

    def __init__(self) -> None:
        self._session: requests.Session | None = None

    def attach(self, client: ConnectorClient) -> None:
        driver = client.config.pipeline._sender.driver
        if self._session is None:
            session = requests.Session()
            for prefix in ("http://", "https://"):
                session.mount(prefix, requests.adapters.HTTPAdapter(pool_connections=CONNECTIONS,
                                                                     pool_maxsize=CONNECTIONS))
            driver._init_session(session)  # msrest's redirect and retry settings (retries 0), once
            self._session = session
        driver._session_mapping.session = self._session

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None


class _OneRetryLayer(ConnectorFactory):
    """Connector clients with msrest's own retries off (it would retry connection errors and some
    statuses with blocking backoff of its own): limits.py is the one place that retries. Every
    client sends through the process's one connection pool."""

    def __init__(self, inner: ConnectorFactory, http: SharedRequests) -> None:
        self.inner, self.http = inner, http

    async def create(self, service_url: str, audience: str) -> ConnectorClient:
        client = await self.inner.create(service_url, audience)
        client.config.retry_policy.retries = 0
        self.http.attach(client)
        return client


class Authentication(ConfigurationBotFrameworkAuthentication):
    """`credentials` replaces botbuilder's factory from the configuration (a test's stand-in for
    MSAL); either way its token fetches run off the loop."""

    def __init__(self, configuration: BotConfig, credentials: ServiceClientCredentialsFactory | None = None) -> None:
        keep_key_fetches_off_the_loop()
        inner = credentials or ConfigurationServiceClientCredentialFactory(configuration)
        super().__init__(configuration, credentials_factory=OffLoopCredentials(inner))
        self.http = SharedRequests()

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return _OneRetryLayer(super().create_connector_factory(claims_identity), self.http)

    async def authenticate_request(self, activity: Activity, auth_header: str) -> AuthenticateRequestResult:
        result = await super().authenticate_request(activity, auth_header)
        result.connector_factory = _OneRetryLayer(result.connector_factory, self.http)
        return result

    def close(self) -> None:
        """At shutdown: the kept-alive connections to the Bot Connector."""
        self.http.close()
