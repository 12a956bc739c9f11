"""Sign in with Slack: OpenID Connect's code flow against Slack's issuer (discovery, then the ID
token checked with joserfc (Authlib's JOSE library, which replaces the deprecated authlib.jose) against the issuer's keys: signature, issuer, audience, expiry, nonce).
The email must have a console account in the very Slack workspace the token names, so a person
signs in to their own tenant only."""
from __future__ import annotations

import json
import secrets
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlmodel import select

from adapters.admin import sessions
from adapters.admin.console import console_of, render
from adapters.admin.routes_auth import finish_sign_in
from storage.identity import workspace_id
from storage.tables.admin import AdminAccount

COOKIE = "gofirst_oidc"
TEAM_CLAIM = "https://slack.com/team_id"
TIMEOUT = aiohttp.ClientTimeout(total=10)


def enabled(request: web.Request) -> bool:
    settings = console_of(request).runtime.settings
    return bool(settings.slack_client_id and settings.slack_client_secret)


def _redirect_uri(request: web.Request) -> str:
    base = console_of(request).runtime.settings.public_url or f"{request.scheme}://{request.host}"
    return base.rstrip("/") + "/admin/oidc/callback"


async def _get(url: str) -> dict[str, Any]:
    async with aiohttp.ClientSession(timeout=TIMEOUT) as http, http.get(url) as response:
        response.raise_for_status()
        data: dict[str, Any] = await response.json(content_type=None)
        return data


async def discover(issuer: str) -> dict[str, Any]:
    return await _get(issuer.rstrip("/") + "/.well-known/openid-configuration")


async def start(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    if not enabled(request):
        return render(request, "error.html", status=404, message=console.words("errors.not_found"))
    settings = console.runtime.settings
    try:
        config = await discover(settings.slack_oidc_url)
    except (aiohttp.ClientError, TimeoutError, ValueError):
        return render(request, "error.html", status=502, message=console.words("login.slack_down"))
    state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    query = urlencode({"response_type": "code", "client_id": settings.slack_client_id, "scope": "openid email profile",
                       "redirect_uri": _redirect_uri(request), "state": state, "nonce": nonce})
    response = web.HTTPSeeOther(f"{config['authorization_endpoint']}?{query}")
    sessions.set_cookie(response, COOKIE, console.signer.sign(json.dumps([state, nonce])),
                        secure=sessions.is_https(request, settings.public_url), max_age=600)
    raise response


async def callback(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    words = console.words
    saved = console.signer.unsign(request.cookies.get(COOKIE))
    state, nonce = json.loads(saved) if saved else ("", "")
    if not enabled(request) or not state or not secrets.compare_digest(state, request.query.get("state", "")):
        return render(request, "error.html", status=403, message=words("login.slack_failed"))
    try:
        claims = await _claims(request, request.query.get("code", ""), nonce)
    except (aiohttp.ClientError, TimeoutError, ValueError, KeyError, JoseError):
        return render(request, "error.html", status=403, message=words("login.slack_failed"))
    email, team = str(claims.get("email", "")).lower(), str(claims.get(TEAM_CLAIM, ""))
    async with console.runtime.db.session() as session:
        account = (await session.exec(select(AdminAccount).where(
            AdminAccount.email == email, AdminAccount.workspace_id == workspace_id("slack", team)))).first()
    if account is None or account.disabled or not claims.get("email_verified", False):
        return render(request, "error.html", status=403, message=words("login.slack_no_account"))
    response = web.HTTPSeeOther("/admin")
    response.del_cookie(COOKIE, path=sessions.PATH)
    await finish_sign_in(request, account, response, via="slack")
    raise response


async def _claims(request: web.Request, code: str, nonce: str) -> dict[str, Any]:
    """The code for tokens (client_secret_post), then the ID token's claims, all checked."""
    settings = console_of(request).runtime.settings
    config = await discover(settings.slack_oidc_url)
    secret = settings.slack_client_secret.get_secret_value() if settings.slack_client_secret else ""
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": _redirect_uri(request),
            "client_id": settings.slack_client_id or "", "client_secret": secret}
    async with aiohttp.ClientSession(timeout=TIMEOUT) as http, \
            http.post(config["token_endpoint"], data=form) as response:
        tokens = await response.json(content_type=None)
    keys = KeySet.import_key_set(await _get(config["jwks_uri"]))  # type: ignore[arg-type]
    token = jwt.decode(tokens["id_token"], keys, algorithms=["RS256"])
    jwt.JWTClaimsRegistry(leeway=60, iss={"essential": True, "value": config["issuer"]},
                          aud={"essential": True, "value": settings.slack_client_id or ""},
                          nonce={"essential": True, "value": nonce}, exp={"essential": True}).validate(token.claims)
    return dict(token.claims)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/oidc/start", start)
    app.router.add_get("/oidc/callback", callback)
