"""A local OpenID Connect issuer that answers as Slack's does: discovery, an authorize endpoint that
consents at once and redirects back with a code, a token endpoint that returns an RS256 ID token,
and its keys. `forge` signs with a key the issuer never published."""
from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID, CLIENT_SECRET = "1234.5678", "client-secret"


@dataclass
class OidcDouble:
    email: str = ""
    team: str = ""
    verified: bool = True
    forge: bool = False
    url: str = ""
    key: Any = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "k1"}))
    _codes: dict[str, str] = field(default_factory=dict)
    _runner: web.AppRunner | None = None

    async def start(self) -> "OidcDouble":
        app = web.Application()
        app.router.add_get("/.well-known/openid-configuration", self._config)
        app.router.add_get("/openid/connect/authorize", self._authorize)
        app.router.add_post("/api/openid.connect.token", self._token)
        app.router.add_get("/openid/connect/keys", self._keys)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _config(self, _request: web.Request) -> web.Response:
        return web.json_response({"issuer": self.url, "authorization_endpoint": f"{self.url}/openid/connect/authorize",
                                  "token_endpoint": f"{self.url}/api/openid.connect.token",
                                  "jwks_uri": f"{self.url}/openid/connect/keys"})

    async def _authorize(self, request: web.Request) -> web.Response:
        q = request.query
        if q.get("client_id") != CLIENT_ID or "openid" not in q.get("scope", "").split():
            return web.json_response({"ok": False, "error": "invalid_request"}, status=400)
        code = secrets.token_urlsafe(8)
        self._codes[code] = q.get("nonce", "")
        raise web.HTTPFound(f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q.get('state', '')})}")

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        nonce = self._codes.pop(str(form.get("code", "")), None)
        if nonce is None or form.get("client_secret") != CLIENT_SECRET:
            return web.json_response({"ok": False, "error": "invalid_code"})
        now = int(time.time())
        claims = {"iss": self.url, "aud": CLIENT_ID, "sub": "U0DANA", "iat": now, "exp": now + 300, "nonce": nonce,
                  "email": self.email, "email_verified": self.verified, "https://slack.com/team_id": self.team}
        key = RSAKey.generate_key(2048, parameters={"kid": "k1"}) if self.forge else self.key
        token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key)
        return web.json_response({"ok": True, "access_token": "xoxp-1", "token_type": "Bearer", "id_token": token})

    async def _keys(self, _request: web.Request) -> web.Response:
        return web.json_response({"keys": [self.key.as_dict(private=False)]})
