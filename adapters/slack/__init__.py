"""GoFirst in Slack: `mount` adds /slack/events (and the OAuth routes) to the one aiohttp server;
`mount_socket_mode` also connects over Socket Mode when SLACK_APP_TOKEN is set."""
from __future__ import annotations

import logging

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.response import BoltResponse
from slack_sdk.signature import SignatureVerifier

from adapters.slack import inbound
from adapters.slack.app import build_edge
from adapters.slack.edge import SlackEdge
from bot.runtime import Runtime

log = logging.getLogger(__name__)
OAUTH_PAGE_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src https://platform.slack-edge.com; "
                  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
SLACK_EDGE = web.AppKey("slack_edge", SlackEdge)


def mount(app: web.Application, runtime: Runtime, *, socket_mode: bool = False) -> None:
    edge = build_edge(runtime, socket_mode=socket_mode)
    app[SLACK_EDGE] = edge
    runtime.services.platforms.register(edge.platform)
    verifier = SignatureVerifier(edge.signing_secret)

    async def events(request: web.Request) -> web.Response:
        """Events, slash commands and interactivity: the signature and the body's shape are checked
        here (the server already bounded its size, charset and nesting), then bolt takes over."""
        with edge.ack_first.ack():  # work after other acks waits until this one is answered
            try:
                await inbound.check(verifier, request)
            except inbound.Unreadable as exc:
                log.warning("Slack request to /slack/events from %s refused (%d): %s", request.remote, exc.status,
                            exc)
                return web.json_response({"error": str(exc)}, status=exc.status)
            bolt_request = await to_bolt_request(request)
            try:  # the listener still running after the ack tracks itself (edge.ListenerStart)
                response = await edge.app.async_dispatch(bolt_request)
            except Exception:
                # A signed request bolt could not parse: say so, log it, never crash the server.
                log.exception("Slack request to /slack/events could not be handled")
                return web.json_response({"error": "malformed Slack request"}, status=400)
            return await to_aiohttp_response(response)

    app.router.add_post("/slack/events", events)
    flow = edge.app.oauth_flow
    if flow is not None:
        async def install(request: web.Request) -> web.Response:
            return await oauth_page(await flow.handle_installation(await to_bolt_request(request)))

        async def oauth_redirect(request: web.Request) -> web.Response:
            return await oauth_page(await flow.handle_callback(await to_bolt_request(request)))

        app.router.add_get(flow.install_path, install)
        app.router.add_get(flow.redirect_uri_path, oauth_redirect)

    async def check_token(_app: web.Application) -> None:
        await edge.check_token()
        edge.replayer.start()  # spooled and unfinished events come back as soon as the database does

    app.on_startup.append(check_token)

    async def drain(_app: web.Application) -> None:
        await edge.replayer.stop()
        try:
            await edge.idle(timeout=10)
        except TimeoutError as exc:
            log.warning("%s; stopping anyway", exc)
        await edge.platform.http.close()  # the process's kept-alive connections to Slack

    app.on_shutdown.append(drain)


async def oauth_page(answer: BoltResponse) -> web.Response:
    """Bolt's install and redirect pages, with their cookies' SameSite kept (bolt's aiohttp adapter
    drops it) and a policy that lets their inline style and Slack's button image through, no script."""
    same_site = {name: morsel["samesite"] for cookie in answer.cookies() for name, morsel in cookie.items()}
    response = await to_aiohttp_response(answer)
    for name, morsel in response.cookies.items():
        morsel["samesite"] = same_site.get(name) or "Lax"
    response.headers["Content-Security-Policy"] = OAUTH_PAGE_CSP
    return response


def mount_socket_mode(app: web.Application, runtime: Runtime) -> None:
    """Like `mount`, and Slack's traffic also arrives over a Socket Mode connection (no public URL)."""
    from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

    mount(app, runtime, socket_mode=True)
    token = runtime.settings.slack_app_token
    if token is None:
        raise RuntimeError("--socket-mode needs SLACK_APP_TOKEN (an xapp- token with connections:write)")
    handler = AsyncSocketModeHandler(app[SLACK_EDGE].app, token.get_secret_value())

    async def connect(_app: web.Application) -> None:
        await handler.connect_async()
        log.info("Slack Socket Mode connected")

    async def close(_app: web.Application) -> None:
        await handler.close_async()

    app.on_startup.append(connect)
    app.on_shutdown.append(close)
