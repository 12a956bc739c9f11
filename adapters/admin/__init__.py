"""The HR console at /admin: server-rendered pages (no script at all), every asset served from
/admin/static, signed-in admins and viewers of one workspace each.

`console_mount(hooks)` returns the mount the wiring adds; the hooks are every adapter's privacy
hook, which the console's export and erase need and may not import itself."""
from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from adapters.admin import (oidc, routes_audit, routes_auth, routes_campaigns, routes_directory, routes_home,
                            routes_insights, routes_people)
from adapters.admin.console import CONSOLE, HERE, Console
from adapters.admin.guard import guard
from adapters.admin.retention import start_retention
from adapters.admin.routes_people import HOOKS
from bot.copy import load_copy
from bot.privacy import PrivacyHooks
from bot.runtime import Runtime


def console_mount(hooks: PrivacyHooks) -> Callable[[web.Application, Runtime], None]:
    def mount(app: web.Application, runtime: Runtime) -> None:
        console = web.Application(middlewares=[guard])
        console[CONSOLE] = Console.build(runtime, load_copy("en", "admin"))
        console[HOOKS] = hooks
        for routes in (oidc, routes_auth, routes_home, routes_campaigns, routes_people, routes_directory, routes_audit,
                       routes_insights):
            routes.add_routes(console)
        console.router.add_static("/static", HERE / "static", append_version=False)
        app.add_subapp("/admin", console)
        start_retention(app, runtime)

    return mount
