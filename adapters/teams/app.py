"""Wires Teams into the one aiohttp server: CloudAdapter at POST /api/messages, the handler, and
the `teams` platform the engine sends through."""
from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass

from aiohttp import web
from botbuilder.core import serializer_helper
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity
from botframework.connector.auth import AuthenticateRequestResult
from msrest.exceptions import DeserializationError
from requests import RequestException

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
    """POST /api/messages: bad requests get a 4xx and a log line before botbuilder sees them."""
    edge = request.app[TEAMS]
    if "application/json" not in request.headers.get("Content-Type", ""):
        return web.json_response({"error": "expected an application/json Bot Framework activity"}, status=415)
    if (request.content_length or 0) > MAX_BODY:
        return web.json_response({"error": "activity too large"}, status=413)
    try:
        body = json.loads(await request.read())
    except (ValueError, UnicodeDecodeError):
        log.warning("Teams: a request to /api/messages was not valid JSON")
        return web.json_response({"error": "body is not valid JSON"}, status=400)
    if not isinstance(body, dict) or not isinstance(body.get("type"), str):
        log.warning("Teams: a request to /api/messages was not an activity")
        return web.json_response({"error": "body is not a Bot Framework activity (no type)"}, status=400)
    try:
        activity = Activity().deserialize(body)
    except (DeserializationError, ValueError, TypeError, KeyError) as exc:
        log.warning("Teams: could not read a %s activity: %r", body.get("type"), exc)
        return web.json_response({"error": "malformed activity"}, status=400)
    auth = await authenticate(edge.adapter, activity, request.headers.get("Authorization", ""), request.remote)
    if isinstance(auth, web.Response):
        return auth
    invoke = await edge.adapter.process_activity(auth, activity, edge.handler.on_turn)
    if invoke:
        return web.json_response(serializer_helper(invoke.body), status=invoke.status)
    return web.Response(status=201)


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
    app.router.add_post("/api/messages", messages)
