"""The one HTML page. Its words come from the copy file; the script gets them as embedded JSON."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from bot.copy import Copy
from bot.demo import ADMIN, DEMO_CHANNEL, LEADER

HERE = Path(__file__).parent
STATIC = HERE / "static"
STATIC_URL = "/playground/static"
_templates = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))


def embedded_json(data: Any) -> Markup:
    """JSON safe inside a <script type="application/json"> element (no `</script>` breakout)."""
    text = json.dumps(data, ensure_ascii=False)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def render_page(words: Copy, api: str, csrf_token: str) -> str:
    config = {"api": api, "leader": LEADER[0], "admin": ADMIN[0], "channel": DEMO_CHANNEL, "csrf": csrf_token}
    return _templates.get_template("playground.html").render(
        t=words.tree, static=STATIC_URL, copy_json=embedded_json(words.tree), config_json=embedded_json(config))


def page_handler(words: Copy, api: str, csrf_token: str) -> Any:
    """The page, with the token its script sends on every POST (adapters/local/security.py)."""
    html = render_page(words, api, csrf_token)

    async def page(_request: web.Request) -> web.Response:
        return web.Response(text=html, content_type="text/html", charset="utf-8",
                            headers={"Cache-Control": "no-store"})

    return page


async def favicon(_request: web.Request) -> web.FileResponse:
    """Browsers ask for /favicon.ico on every page; an SVG answers it (and the page links it too)."""
    return web.FileResponse(STATIC / "favicon.svg", headers={"Content-Type": "image/svg+xml",
                                                             "Cache-Control": "max-age=86400"})
