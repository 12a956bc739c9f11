"""`gofirst serve` (production edges) and `gofirst demo` (the playground on SQLite)."""
from __future__ import annotations

import logging

import typer
from aiohttp import web

from bot.cli.common import fail, run, settings_from, setup_logging
from bot.cli.teams import check_serve_settings as check_teams
from bot.config import Settings
from bot.logs import AccessLog
from bot.demo import seed_demo
from bot.app.mounts import mounts_for
from bot.runtime import Runtime, build_runtime
from bot.app.server import build_app
from storage.db import DatabaseUnavailable
from storage.migrate import NotMigrated, require_current, upgrade

HOST = typer.Option(None, "--host", help="Overrides GOFIRST_HOST (default 127.0.0.1).")
PORT = typer.Option(None, "--port", help="Overrides GOFIRST_PORT (default 3000).")


def serve_forever(runtime: Runtime, app: web.Application, banner: str) -> None:
    async def announce(_app: web.Application) -> None:
        typer.echo(banner)

    app.on_startup.append(announce)
    try:
        web.run_app(app, host=runtime.settings.host, port=runtime.settings.port, print=None,
                    access_log_class=AccessLog, handle_signals=True)
    except OSError as exc:
        fail(f"cannot listen on {runtime.settings.host}:{runtime.settings.port}: {exc.strerror}. "
             "Set GOFIRST_PORT (or --port) to a free port.")


def prepare(settings: Settings, *, migrate: bool, demo: bool) -> Runtime:
    async def go() -> Runtime:
        runtime = build_runtime(settings)
        try:
            if migrate:
                await upgrade(runtime.db)
            await require_current(runtime.db)
            if demo:
                await seed_demo(runtime.services)
        finally:
            await runtime.db.dispose()  # the server opens its own pool on its own loop
        return runtime

    try:
        return run(go())
    except (DatabaseUnavailable, NotMigrated) as exc:
        fail(str(exc))


def serve(
    host: str | None = HOST,
    port: int | None = PORT,
    playground: bool = typer.Option(False, "--playground", help="Also mount the local web playground at /."),
    socket_mode: bool = typer.Option(False, "--socket-mode",
                                     help="Receive Slack traffic over Socket Mode (needs SLACK_APP_TOKEN)."),
) -> None:
    """Serve every configured edge (Slack, Teams, the playground if asked) and the campaign scheduler
    on one port. The database must be migrated (`gofirst db upgrade`)."""
    settings = settings_from(host=host, port=port)
    setup_logging(settings)
    if socket_mode and settings.slack_app_token is None:
        fail("--socket-mode needs SLACK_APP_TOKEN (an app-level xapp- token with connections:write)")
    check_teams(settings)
    runtime = prepare(settings, migrate=False, demo=False)
    try:
        app = build_app(runtime, mounts_for(settings, playground=playground, socket_mode=socket_mode))
    except RuntimeError as exc:  # an edge's settings are incomplete: say which, in one line
        fail(str(exc))
    edges = ", ".join(runtime.services.platforms.names()) or "none"
    if edges == "none":
        logging.getLogger(__name__).warning(
            "no edge is configured: set SLACK_SIGNING_SECRET with SLACK_BOT_TOKEN or SLACK_CLIENT_ID (Slack), "
            "MicrosoftAppId (Teams), or pass --playground; only /healthz, /readyz and /metrics answer")
    serve_forever(runtime, app, f"GoFirst serving on http://{settings.host}:{settings.port} (edges: {edges})")


def demo(host: str | None = HOST, port: int | None = PORT) -> None:
    """Migrate, seed the demo workspace and open the playground: no Slack or Teams account needed."""
    settings = settings_from(host=host, port=port)
    setup_logging(settings)
    runtime = prepare(settings, migrate=True, demo=True)
    app = build_app(runtime, mounts_for(settings, playground=True))
    serve_forever(runtime, app, f"GoFirst playground: open http://{settings.host}:{settings.port}/ (Ctrl+C stops)")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("demo")(demo)
