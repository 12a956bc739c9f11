"""The Slack Web API client as GoFirst configures it: retries that never repeat a write which may
have arrived, every token blanked from its logs, and one connection pool per process (a new TCP
connection per call cost one connection for almost every call). 429s are SlackPlatform.call's
(shared pauses)."""
from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

import aiohttp

from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.errors import NOT_IDEMPOTENT, never_sent

MAX_RETRY_AFTER = 10.0   # longer waits are handed back to the engine as a transient failure
TIMEOUT = 10   # seconds for one Web API call; no answer by then is an unknown outcome for a write


class SafeConnectionRetryHandler(AsyncConnectionErrorRetryHandler):
    """Retries a lost connection only where repeating is harmless: a chat.postMessage whose
    connection broke after it left may already be in Slack (seen here to double a DM)."""

    async def _can_retry_async(self, *, state: Any, request: Any, response: Any = None, error: Any = None) -> bool:
        method = str(getattr(request, "url", "")).rsplit("/", 1)[-1]
        if method in NOT_IDEMPOTENT and not never_sent(error):
            return False
        return await super()._can_retry_async(state=state, request=request, response=response, error=error)


def retry_handlers() -> list[AsyncRetryHandler]:
    """429s are not retried here: SlackPlatform.call pauses the method for every sender (pauses.py)."""
    return [SafeConnectionRetryHandler(max_retry_count=2), AsyncServerErrorRetryHandler(max_retry_count=2)]


class RedactSecrets(logging.Filter):
    """slack_sdk logs whole request and response bodies at DEBUG, oauth.v2.access's token included:
    every record through the client's logger has tokens and the client secret blanked first."""

    PATTERN = re.compile(r"(xox[a-z]-|xoxe\.xox[a-z]-|xoxe-|xapp-)[A-Za-z0-9.\-]+"
                         r"|(client_secret['\"]?\s*[:=]\s*['\"]?)[^'\"&,\s}]+")

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        redacted = self.PATTERN.sub(lambda m: (m.group(1) or m.group(2)) + "[redacted]", text)
        if redacted != text:
            record.msg, record.args = redacted, None
        return True


CLIENT_LOG = logging.getLogger("gofirst.slack.web")
CLIENT_LOG.addFilter(RedactSecrets())


CONNECTIONS = 64   # kept-alive connections to Slack per process, across every workspace


class SharedHttp:
    """One aiohttp session for every client of this process, made on first use inside the running
    event loop (and again if the loop changed or the session was closed)."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def session(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._loop is not loop:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT),
                                                  connector=aiohttp.TCPConnector(limit=CONNECTIONS))
            self._loop = loop
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


def web_client(token: str | None, base_url: str | None, session: aiohttp.ClientSession | None = None) -> AsyncWebClient:
    """A client on `session`'s connection pool, or (without one) a new connection per call."""
    base = (base_url.rstrip("/") + "/") if base_url else AsyncWebClient.BASE_URL
    return AsyncWebClient(token=token, base_url=base, timeout=TIMEOUT, logger=CLIENT_LOG,
                          retry_handlers=retry_handlers(), session=session)
