"""The one aiohttp server: every edge is mounted here, beside health, readiness and metrics."""
from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from bot.app.guards import MAX_BODY, guard_input, security_headers
from bot.logs import REQUEST_WORKSPACE, WORKSPACE, bind_request, unbind
from bot.metrics import outbox_families, process_exited
from bot.runtime import Runtime
from storage.migrate import NotMigrated, require_current

log = logging.getLogger(__name__)
RUNTIME = web.AppKey("runtime", Runtime)
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")  # a caller's X-Request-Id, kept only if it is this tame

Mount = Callable[[web.Application, Runtime], None]


async def healthz(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    if await runtime.db.ping():
        return web.json_response({"status": "ok", "database": "reachable"})
    log.error("health check: database at %s unreachable", runtime.db.safe_url)
    return web.json_response({"status": "error", "database": "unreachable"}, status=503)


async def readyz(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    try:
        await require_current(runtime.db)
    except NotMigrated as exc:
        return web.json_response({"status": "not ready", "reason": str(exc)}, status=503)
    except Exception:
        return web.json_response({"status": "not ready", "reason": "database unreachable"}, status=503)
    return web.json_response({"status": "ready", "platforms": runtime.services.platforms.names()})


async def metrics(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    scraped = await outbox_families(runtime.db, runtime.services.clock.now(), runtime.settings.metrics_db_timeout)
    return web.Response(body=runtime.services.metrics.render(scraped), headers={"Content-Type": CONTENT_TYPE_LATEST})


async def slack_kind(request: web.Request) -> str:
    """Which Slack request an answer to /slack/events acknowledged (the body bolt already read)."""
    if request.content_type == "application/json":
        return "event"
    body = await request.read()
    return "interactive" if body.startswith(b"payload=") else "command" if b"command=" in body else "other"


@web.middleware
async def observe(request: web.Request, handler: Callable) -> web.StreamResponse:
    """Outermost: a request id on every log line of the request (the caller's X-Request-Id or a new
    one, echoed back) and its latency under the matched route's pattern, never the raw URL."""
    given = request.headers.get("X-Request-Id", "")
    request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
    metrics = request.app[RUNTIME].services.metrics  # the root app's, whichever app owns the route
    tokens, started, status = bind_request(request_id), time.perf_counter(), 500
    try:
        response = await handler(request)
        status = response.status
        response.headers["X-Request-Id"] = request_id
        return response
    except web.HTTPException as exc:
        status = exc.status
        exc.headers["X-Request-Id"] = request_id
        raise
    finally:
        resource = request.match_info.route.resource
        route = resource.canonical if resource is not None else "unmatched"
        metrics.observe("gofirst_http_request_duration_seconds", time.perf_counter() - started,
                        route=route, method=request.method)
        metrics.inc("gofirst_http_requests_total", route=route, method=request.method, status=str(status))
        if route == "/slack/events":
            kind = await slack_kind(request) if status < 400 else "refused"
            metrics.inc("gofirst_slack_acks_total", kind=kind, status=str(status))
        request[REQUEST_WORKSPACE] = WORKSPACE.get() or ""  # for the access line, written after this returns
        unbind(tokens)


@web.middleware
async def json_errors(request: web.Request, handler: Callable) -> web.StreamResponse:
    """Unexpected errors become a logged 500 with a JSON body instead of a dropped connection. A client
    that hangs up (mid-body, or before the answer) is no error of ours: one info line, no 500."""
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception as exc:
        if isinstance(exc, ConnectionResetError) and (request.transport is None or request.transport.is_closing()):
            log.info("client %s hung up during %s %s", request.remote, request.method, request.path)
            return web.Response(status=499, text="client closed the connection")
        log.exception("unhandled error on %s %s", request.method, request.path)
        return web.json_response({"error": "internal error; see the server log"}, status=500)


def build_app(runtime: Runtime, mounts: list[Mount]) -> web.Application:
    app = web.Application(middlewares=[observe, json_errors, guard_input], client_max_size=MAX_BODY)
    app.on_response_prepare.append(security_headers)
    app[RUNTIME] = runtime
    runtime.services.metrics.watch_pool(runtime.db.engine)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    for mount in mounts:
        mount(app, runtime)

    async def close_db(_app: web.Application) -> None:
        await runtime.db.dispose()
        process_exited()

    app.on_cleanup.append(close_db)
    return app
