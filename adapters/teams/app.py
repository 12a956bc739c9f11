"""Wires Teams into the one aiohttp server: CloudAdapter at POST /api/messages, the handler, and
the `teams` platform the engine sends through."""
from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass

from aiohttp import web
from botbuilder.core import InvokeResponse, serializer_helper
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity
from botbuilder.schema.teams import TeamsChannelData
from botframework.connector.auth import AuthenticateRequestResult
from msrest.exceptions import DeserializationError
from requests import RequestException

from adapters.teams.activities import shape_problem
from adapters.teams.auth import Authentication, BotConfig
from adapters.teams.dedupe import SeenActivities
from adapters.teams.handler import GoFirstTeamsHandler
from adapters.teams.limits import SlidingLimiter
from adapters.teams.platform import TeamsPlatform
from adapters.teams.references import ReferenceStore
from bot.copy import load_copy
from bot.config import Settings
from bot.runtime import Runtime

log = logging.getLogger(__name__)
MAX_BODY = 256 * 1024


@dataclass
class TeamsEdge:
    adapter: CloudAdapter
    handler: GoFirstTeamsHandler
    platform: TeamsPlatform
    refs: ReferenceStore

    def close(self) -> None:
        """At shutdown: the process's kept-alive connections to the Bot Connector."""
        auth = self.adapter.bot_framework_authentication
        if isinstance(auth, Authentication):
            auth.close()


TEAMS = web.AppKey("teams", TeamsEdge)


def make_adapter(settings: Settings, **overrides: str) -> CloudAdapter:
    return CloudAdapter(Authentication(BotConfig(settings, **overrides)))


def build_edge(runtime: Runtime, limiter: SlidingLimiter | None = None) -> TeamsEdge:
    settings = runtime.settings
    if not settings.teams_app_id:
        log.warning("TEAMS DEV MODE: MicrosoftAppId is empty, so Bot Framework tokens are NOT checked and "
                    "anyone who can reach /api/messages can act as any Teams user. Never run this in production.")
    adapter = make_adapter(settings)
    refs = ReferenceStore(runtime.db, runtime.services.clock)
    limiter = limiter or SlidingLimiter(time.monotonic, asyncio.sleep)
    platform = TeamsPlatform(adapter, settings.teams_app_id, refs, limiter, asyncio.sleep)
    seen = SeenActivities(runtime.db, runtime.services.clock)
    handler = GoFirstTeamsHandler(runtime, platform, refs, load_copy("en", "teams"), seen)
    runtime.services.platforms.register(platform)
    return TeamsEdge(adapter, handler, platform, refs)


async def messages(request: web.Request) -> web.StreamResponse:
    """POST /api/messages: bad requests get a 4xx and one log line before botbuilder sees them (the
    server has already bounded the body's size, charset and nesting)."""
    edge = request.app[TEAMS]
    if request.content_type != "application/json":
        return refuse(415, "expected an application/json Bot Framework activity")
    if (request.content_length or 0) > MAX_BODY:
        return refuse(413, "activity too large")
    try:
        body = json.loads(await request.text())
    except ValueError:
        return refuse(400, "body is not valid JSON")
    if not isinstance(body, dict) or not isinstance(body.get("type"), str):
        return refuse(400, "body is not a Bot Framework activity (no type)")
    problem = shape_problem(body)
    if problem:
        return refuse(400, f"malformed {body['type'][:40]} activity: {problem}")
    try:
        activity = Activity().deserialize(body)
        if activity.channel_id == "msteams":  # botbuilder's Teams handler reads it without looking
            TeamsChannelData().deserialize(activity.channel_data or {})
    except (DeserializationError, ValueError, TypeError, KeyError, IndexError) as exc:
        return refuse(400, f"malformed {body['type'][:40]} activity ({type(exc).__name__}: {str(exc)[:120]})")
    auth = await authenticate(edge.adapter, activity, request.headers.get("Authorization", ""), request.remote)
    if isinstance(auth, web.Response):
        return auth
    invoke = await edge.adapter.process_activity(auth, activity, edge.handler.on_turn)
    if invoke:
        return invoke_answer(invoke, activity.name)
    return web.Response(status=201)


def refuse(status: int, reason: str) -> web.Response:
    log.warning("Teams: refused a request to /api/messages (%d): %s", status, reason)
    return web.json_response({"error": reason}, status=status)


def invoke_answer(invoke: InvokeResponse, name: str | None) -> web.Response:
    """botbuilder's answer to an invoke. Its body is a msrest model, or already a dict (its own
    `_create_invoke_response` serialises); a 501 means no handler takes this invoke: the sender's
    request, so a 400 that says so."""
    if invoke.status >= 500:
        return refuse(400, f"GoFirst does not handle the invoke {str(name)[:60]!r}")
    body = invoke.body
    if body is not None and not isinstance(body, (dict, list, str, int, float, bool)):
        body = serializer_helper(body)
    return web.json_response(body, status=invoke.status)


async def authenticate(adapter: CloudAdapter, activity: Activity, header: str,
                       remote: str | None) -> AuthenticateRequestResult | web.Response:
    """Bot Framework's JWT check, before anything is read or stored. botbuilder signals a bad token
    with many exception types (PermissionError, PyJWT errors, a bare Exception, an IndexError for
    an unknown key id): every one of them is a 401 here, never a 500."""
    try:
        return await adapter.bot_framework_authentication.authenticate_request(activity, header)
    except RequestException as exc:
        log.error("Teams: cannot check tokens, Microsoft's signing keys are unreachable: %s", exc)
        return web.json_response({"error": "cannot validate the token now"}, status=503)
    except Exception as exc:  # see the docstring: all of these mean "not a valid token"
        log.warning("Teams: rejected an activity from %s: missing or invalid token (%s: %s)", remote,
                    type(exc).__name__, str(exc)[:120])
        return web.json_response({"error": "unauthorized"}, status=401)


def mount(app: web.Application, runtime: Runtime) -> None:
    edge = build_edge(runtime)
    app[TEAMS] = edge

    async def close(_app: web.Application) -> None:
        edge.close()

    app.on_cleanup.append(close)
    app.router.add_post("/api/messages", messages)
