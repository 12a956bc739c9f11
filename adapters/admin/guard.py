"""The console's one gate, in front of every route: security headers on every answer, a session
for every page but sign-in, and for every form a same-origin check and the session's CSRF token;
a viewer's forms change nothing."""
from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from urllib.parse import quote, urlsplit

from aiohttp import web

from adapters.admin import sessions
from adapters.admin.console import STATIC_URL, VIEWER, console_of, render

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
LOGIN = "/admin/login"
PUBLIC = frozenset({LOGIN, "/admin/oidc/start", "/admin/oidc/callback"})
VIEWER_POSTS = frozenset({"/admin/logout"})
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await _checked(request, handler)
    except web.HTTPException as exc:
        exc.headers.update(HEADERS)
        raise
    except Exception:  # still a page, with its headers, and nothing about the failure but the log
        log.exception("console: unhandled error on %s %s", request.method, request.path)
        response = render(request, "error.html", status=500, message=console_of(request).words("errors.internal"))
    response.headers.update(HEADERS)
    return response


async def _checked(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path.startswith(STATIC_URL + "/"):
        return await handler(request)
    console = console_of(request)
    viewer = await sessions.load(console.runtime.db, console.signer, request, console.now)
    if viewer is not None:
        request[VIEWER] = viewer
    words = console.words
    if request.method == "POST":
        if not same_origin(request, console.runtime.settings.public_url):
            return render(request, "error.html", status=403, message=words("errors.cross_site"))
        token = str((await request.post()).get("csrf", ""))
        expected = (console.signer.unsign(request.cookies.get(sessions.LOGIN_COOKIE)) if request.path == LOGIN
                    else viewer.csrf if viewer else None)
        if not expected or not hmac.compare_digest(token, expected):
            return render(request, "error.html", status=403, message=words("errors.csrf"))
    if viewer is None and request.path not in PUBLIC:
        if request.method != "GET":
            return render(request, "error.html", status=403, message=words("errors.signed_out"))
        raise web.HTTPSeeOther(f"{LOGIN}?next={quote(request.path_qs)}")
    if request.method == "POST" and viewer is not None and not viewer.can_change and request.path not in VIEWER_POSTS:
        return render(request, "error.html", status=403, message=words("errors.viewer"))
    return await handler(request)


def same_origin(request: web.Request, public_url: str | None) -> bool:
    """The form was sent from a console page: Origin (or, failing that, Referer) is this server."""
    expected = _origin(public_url) if public_url else f"{request.scheme}://{request.host}"
    origin = request.headers.get("Origin")
    if origin is None and request.headers.get("Referer"):
        origin = _origin(request.headers["Referer"])
    return origin is not None and origin.lower() == expected.lower()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
