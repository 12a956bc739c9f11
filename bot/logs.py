"""Logging for every process: readable text by default, one JSON object per line with
GOFIRST_LOG_FORMAT=json (python-json-logger). Each line logged while a request is handled carries its
request id and, once an edge knows it, the workspace (context variables, so tasks a request spawns
keep them). A filter blanks tokens and every configured secret before any handler writes a line."""
from __future__ import annotations

import logging
import re
import sys
from contextvars import ContextVar, Token
from typing import IO

from aiohttp.abc import AbstractAccessLogger
from aiohttp.web import BaseRequest, RequestKey, StreamResponse
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter
from sqlalchemy.engine import make_url

from bot.config import Settings

REQUEST_ID: ContextVar[str | None] = ContextVar("gofirst_request_id", default=None)
WORKSPACE: ContextVar[str | None] = ContextVar("gofirst_workspace", default=None)

# Slack tokens (bot, user, app, config, refresh), bearer credentials, and secret=value pairs.
TOKEN = re.compile(r"\b(xox[abposre]-|xapp-|xoxe\.xox[bp]-)[A-Za-z0-9-]+"
                   r"|(Bearer\s+)[A-Za-z0-9._~+/=-]+"
                   r"|((?:client_secret|signing_secret|password|app_password)[\"']?\s*[=:]\s*[\"']?)[^\s\"'&,]+",
                   re.IGNORECASE)
REDACTED = "[redacted]"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s%(context)s: %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(workspace)s"
REQUEST_WORKSPACE = RequestKey("gofirst_workspace", str)  # left by the middleware for the access line


def bind_workspace(workspace_id: str | None) -> None:
    """Names the workspace on every later line of this request (and of the tasks it starts)."""
    WORKSPACE.set(workspace_id or None)


def bind_request(request_id: str) -> tuple[Token[str | None], Token[str | None]]:
    """Starts a request's context; hand the tokens to `unbind` when the request is done."""
    return REQUEST_ID.set(request_id), WORKSPACE.set(None)


def unbind(tokens: tuple[Token[str | None], Token[str | None]]) -> None:
    REQUEST_ID.reset(tokens[0])
    WORKSPACE.reset(tokens[1])


def secrets_of(settings: Settings) -> list[str]:
    """Every secret value the settings hold, longest first (so a secret inside another goes too)."""
    values = [settings.secret_key, settings.slack_bot_token, settings.slack_signing_secret, settings.slack_app_token,
              settings.slack_client_secret, settings.teams_app_password]
    found = [v.get_secret_value() for v in values if v is not None]
    try:
        found.append(make_url(settings.database_url).password or "")
    except Exception:  # an unparsable URL is refused elsewhere; it holds no password we could find
        pass
    return sorted({s for s in found if len(s) >= 4}, key=len, reverse=True)


class Redact(logging.Filter):
    """Blanks secrets in the message, its arguments and any traceback, and adds the request
    context fields both formats print."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = secrets

    def clean(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return TOKEN.sub(lambda m: (m.group(1) or m.group(2) or m.group(3) or "") + REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = self.clean(record.getMessage()), None
        if record.exc_info:
            record.exc_text = self.clean(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = self.clean(record.exc_text)
        if record.stack_info:
            record.stack_info = self.clean(record.stack_info)
        request_id = getattr(record, "request_id", None) or REQUEST_ID.get()
        workspace = getattr(record, "workspace", None) or WORKSPACE.get()
        record.request_id, record.workspace = request_id, workspace
        parts = [f"request={request_id}"] if request_id else []
        parts += [f"workspace={workspace}"] if workspace else []
        record.context = f" [{' '.join(parts)}]" if parts else ""
        return True


class AccessLog(AbstractAccessLogger):
    """aiohttp's access line, written after the request's context is gone, with its request id
    (from the answer's X-Request-Id) and workspace as fields of their own."""

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        self.logger.info("%s %s %s %s %d %.1f ms", request.remote, request.method, request.path, response.status,
                         response.body_length, time * 1000, extra={
                             "request_id": response.headers.get("X-Request-Id"),
                             "workspace": request.get(REQUEST_WORKSPACE) or None})


class Handler(logging.StreamHandler[IO[str]]):
    """The handler `configure` installs, so a second call replaces it instead of doubling lines."""


def configure(settings: Settings, stream: IO[str] | None = None) -> logging.Handler:
    """Sets up the root logger from the settings; handlers others added (pytest's, say) stay."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, Handler)]:
        root.removeHandler(old)
    handler = Handler(stream or sys.stderr)
    handler.addFilter(Redact(secrets_of(settings)))
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter(JSON_FIELDS, reserved_attrs=[*RESERVED_ATTRS, "context"], rename_fields={
            "levelname": "level", "name": "logger", "asctime": "time", "exc_info": "traceback"}))
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    logging.getLogger("alembic").setLevel(logging.WARNING)
    return handler
