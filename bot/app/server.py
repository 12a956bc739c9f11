"""The one aiohttp server: every edge is mounted here, beside health, readiness and metrics."""
from __future__ import annotations

import logging
from collections.abc import Callable

from aiohttp import web

from bot.app.guards import MAX_BODY, guard_input, security_headers
from bot.runtime import Runtime
from storage.migrate import NotMigrated, require_current

log = logging.getLogger(__name__)
RUNTIME = web.AppKey("runtime", Runtime)

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
    return web.Response(text=request.app[RUNTIME].services.metrics.render(), content_type="text/plain")


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
    app = web.Application(middlewares=[json_errors, guard_input], client_max_size=MAX_BODY)
    app.on_response_prepare.append(security_headers)
    app[RUNTIME] = runtime
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    for mount in mounts:
        mount(app, runtime)

    async def close_db(_app: web.Application) -> None:
        await runtime.db.dispose()

    app.on_cleanup.append(close_db)
    return app
