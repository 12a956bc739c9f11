"""The local web playground: a pretend workspace in the browser that drives the real engine.

`mount(app, runtime)` registers the `local` platform and serves the page at `/`, its JSON API
under `/playground/api/` and its script and styles under `/playground/static/`.
"""
from __future__ import annotations

from aiohttp import web

from adapters.local import admin
from adapters.local.broadcast import Broadcaster
from adapters.local.page import STATIC, STATIC_URL, favicon, page_handler
from adapters.local.platform import LocalPlatform
from adapters.local.routes import API, PLAYGROUND, Playground, add_routes
from adapters.local.security import CSRF_TOKEN, csrf_middleware, page_token
from bot.copy import load_copy
from bot.demo import seed_demo
from bot.runtime import Runtime

__all__ = ["LocalPlatform", "mount"]


def mount(app: web.Application, runtime: Runtime) -> None:
    services = runtime.services
    broadcaster = Broadcaster()
    platform = LocalPlatform(services.db, services.clock, broadcaster)
    services.platforms.register(platform)
    words = load_copy("en", "playground")
    playground = Playground(runtime, platform, broadcaster, words)
    app[PLAYGROUND] = playground

    secret = runtime.settings.secret_key.get_secret_value() if runtime.settings.secret_key else None
    token = app[CSRF_TOKEN] = page_token(secret)
    app.middlewares.append(csrf_middleware(API, token, words, runtime.settings.public_url))
    page = page_handler(words, API, token)
    app.router.add_get("/", page)
    app.router.add_get("/playground", page)
    app.router.add_get("/favicon.ico", favicon)
    app.router.add_static(STATIC_URL, STATIC, append_version=False)
    add_routes(app)

    async def seed(_app: web.Application) -> None:
        """The demo people, team and campaign the page plays with (idempotent)."""
        playground.ids = await seed_demo(services)
        playground.people = await admin.people(services, playground.ids)

    async def end_streams(_app: web.Application) -> None:
        broadcaster.close()

    async def finish_writes(_app: web.Application) -> None:
        await platform.flush()

    app.on_startup.append(seed)
    app.on_shutdown.append(end_streams)
    app.on_cleanup.insert(0, finish_writes)
