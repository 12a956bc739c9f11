"""What every console route shares (the runtime, the words, the cookie signer) and how a page is
rendered: server-side Jinja2 with autoescaping and strict undefined names, so a missing word fails
a test instead of showing an empty label."""
from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from adapters.admin.sessions import Signer, Viewer
from bot.copy import Copy
from bot.runtime import Runtime

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
STATIC_URL = "/admin/static"
VIEWER = web.RequestKey("admin_viewer", Viewer)
_templates = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]),
                         undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


@dataclass
class Console:
    runtime: Runtime
    words: Copy
    signer: Signer

    @property
    def now(self) -> datetime:
        return self.runtime.services.clock.now()

    @classmethod
    def build(cls, runtime: Runtime, words: Copy) -> "Console":
        key = runtime.settings.secret_key
        if key is None:
            log.warning("GOFIRST_SECRET_KEY is not set: console sessions are signed with a key made at start-up, "
                        "so they end when this process stops and are not shared by other replicas")
        return cls(runtime, words, Signer(key.get_secret_value().encode() if key else secrets.token_bytes(32)))


CONSOLE = web.AppKey("console", Console)


def console_of(request: web.Request) -> Console:
    return request.config_dict[CONSOLE]


def viewer_of(request: web.Request) -> Viewer:
    viewer = request.get(VIEWER)
    if viewer is None:
        raise web.HTTPSeeOther("/admin/login")
    return viewer


def render(request: web.Request, template: str, *, status: int = 200, **context: Any) -> web.Response:
    console = console_of(request)
    viewer: Viewer | None = request.get(VIEWER)
    html = _templates.get_template(template).render(
        t=console.words.tree, static=STATIC_URL, viewer=viewer, csrf=viewer.csrf if viewer else "",
        path=request.path, **context)
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")


def not_found(request: web.Request) -> web.Response:
    """The same answer for 'no such thing' and 'not yours', so ids of other workspaces reveal nothing."""
    return render(request, "error.html", status=404, message=console_of(request).words("errors.not_found"))
