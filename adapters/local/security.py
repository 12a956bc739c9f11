"""CSRF protection for the playground: every state-changing request must come from the page itself.
A browser adds `Origin` (and `Sec-Fetch-Site`) to a cross-site request, and no other site can read
the page to learn the token it embeds, nor send a custom header without a CORS preflight this server
never grants; so a request that is same-origin *and* carries the token came from the page."""
from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.typedefs import Middleware

from bot.copy import Copy

log = logging.getLogger(__name__)
CSRF_HEADER = "X-GoFirst-CSRF"
CSRF_TOKEN = web.AppKey("playground_csrf_token", str)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SAME_SITE = frozenset({"same-origin", "none"})  # Sec-Fetch-Site values of the page's own requests
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def page_token(secret_key: str | None) -> str:
    """Derived from GOFIRST_SECRET_KEY when set (the same across restarts and replicas), else random
    for this process (a page from before a restart must be reloaded)."""
    if not secret_key:
        return secrets.token_urlsafe(32)
    return hmac.new(secret_key.encode(), b"gofirst/playground/csrf", hashlib.sha256).hexdigest()


def cross_site(request: web.Request, public_url: str | None) -> bool:
    """True when the browser says the request came from another origin than this server's."""
    origin = request.headers.get("Origin")
    if origin is not None:
        hosts = {request.host.lower()} | ({urlsplit(public_url).netloc.lower()} if public_url else set())
        if urlsplit(origin).netloc.lower() not in hosts:  # "null" (a sandbox, a file) has no host either
            return True
    return request.headers.get("Sec-Fetch-Site", "same-origin") not in SAME_SITE


def csrf_middleware(prefix: str, token: str, words: Copy, public_url: str | None) -> Middleware:
    """Refuses, with a 403 the page can show, every state-changing request under `prefix` that is
    cross-site or lacks the page's token."""

    @web.middleware
    async def csrf(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.method in SAFE_METHODS or not request.path.startswith(prefix):
            return await handler(request)
        if cross_site(request, public_url):
            reason, key = "cross-site request", "errors.cross_site"
        elif not hmac.compare_digest(request.headers.get(CSRF_HEADER, "").encode(), token.encode()):
            reason, key = "missing or stale CSRF token", "errors.stale_page"
        else:
            return await handler(request)
        log.warning("playground %s %s from %s (Origin %s) refused (403): %s", request.method, request.path,
                    request.remote, request.headers.get("Origin", "none")[:80], reason)
        return web.json_response({"error": words(key)}, status=403)

    return csrf
