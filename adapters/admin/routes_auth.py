"""Sign-in with email and password, and sign-out. The sign-in form carries a token bound to a
short-lived cookie, so even the one form without a session can't be posted from another site."""
from __future__ import annotations

import secrets

from aiohttp import web

from adapters.admin import accounts, sessions
from adapters.admin.console import VIEWER, console_of, render
from storage.tables import AuditEntry
from storage.tables.admin import AdminAccount

LOGIN_MINUTES = 30


def _next(request: web.Request, value: str | None) -> str:
    """Only a console path: a sign-in never sends anyone to another site."""
    return value if value and value.startswith("/admin") and not value.startswith("//") else "/admin"


def login_form(request: web.Request, *, status: int = 200, error: str = "", email: str = "") -> web.Response:
    console = console_of(request)
    token = secrets.token_urlsafe(24)
    settings = console.runtime.settings
    response = render(request, "login.html", status=status, login_csrf=token, error=error, email=email,
                      next=_next(request, request.query.get("next")),
                      slack=bool(settings.slack_client_id and settings.slack_client_secret))
    secure = sessions.is_https(request, console.runtime.settings.public_url)
    sessions.set_cookie(response, sessions.LOGIN_COOKIE, console.signer.sign(token), secure=secure,
                        max_age=LOGIN_MINUTES * 60)
    return response


async def login_page(request: web.Request) -> web.StreamResponse:
    if request.get(VIEWER) is not None:
        raise web.HTTPSeeOther("/admin")
    return login_form(request)


async def login(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    form = await request.post()
    email, password = str(form.get("email", "")).strip(), str(form.get("password", ""))
    if not email or not password:
        return login_form(request, status=400, error=console.words("login.missing"), email=email)
    result = await accounts.sign_in(console.runtime.db, email, password, console.now)
    if result.locked_minutes:
        return login_form(request, status=429, email=email,
                          error=console.words("login.locked", minutes=result.locked_minutes))
    if result.account is None:
        return login_form(request, status=401, error=console.words("login.wrong"), email=email)
    response = web.HTTPSeeOther(_next(request, str(form.get("next", ""))))
    await finish_sign_in(request, result.account, response, via="password")
    raise response


async def finish_sign_in(request: web.Request, account: AdminAccount, response: web.StreamResponse, *,
                         via: str) -> None:
    console = console_of(request)
    settings = console.runtime.settings
    await sessions.start(console.runtime.db, console.signer, account, console.now, settings.admin_session_hours,
                         response, sessions.is_https(request, settings.public_url))
    response.del_cookie(sessions.LOGIN_COOKIE, path=sessions.PATH)
    async with console.runtime.db.session() as session:
        session.add(AuditEntry(workspace_id=account.workspace_id, actor=f"admin:{account.email}",
                               action="admin.signed_in", target=f"admin:{account.id}", detail={"via": via},
                               at=console.now))


async def logout(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    response = web.HTTPSeeOther("/admin/login")
    await sessions.end(console.runtime.db, console.signer, request, response)
    raise response


def add_routes(app: web.Application) -> None:
    app.router.add_get("/login", login_page)
    app.router.add_post("/login", login)
    app.router.add_post("/logout", logout)
