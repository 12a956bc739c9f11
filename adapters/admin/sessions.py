"""Console sessions: an HttpOnly, SameSite=Lax cookie (Secure over https) carrying a random secret
signed with GOFIRST_SECRET_KEY; the database keeps only the secret's SHA-256, the expiry and the
session's CSRF token. A stolen table or a forged cookie signs nobody in."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from aiohttp import web
from sqlmodel import col, delete

from storage.db import Database
from storage.tables.admin import AdminAccount, AdminSession

COOKIE = "gofirst_admin"
LOGIN_COOKIE = "gofirst_login"
PATH = "/admin"


@dataclass(frozen=True)
class Viewer:
    """Who is signed in: their account (hence workspace and role) and their session's CSRF token."""

    account: AdminAccount
    csrf: str

    @property
    def workspace_id(self) -> str:
        return self.account.workspace_id

    @property
    def can_change(self) -> bool:
        return self.account.role == "admin"

    @property
    def actor(self) -> str:
        return f"admin:{self.account.email}"


class Signer:
    def __init__(self, key: bytes) -> None:
        self.key = hashlib.sha256(b"gofirst-admin-cookie\0" + key).digest()

    def sign(self, value: str) -> str:
        mac = hmac.new(self.key, value.encode(), hashlib.sha256).digest()
        return f"{value}.{base64.urlsafe_b64encode(mac).decode().rstrip('=')}"

    def unsign(self, signed: str | None) -> str | None:
        value, _, _mac = (signed or "").rpartition(".")
        return value if value and hmac.compare_digest(self.sign(value), signed or "") else None


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def is_https(request: web.Request, public_url: str | None) -> bool:
    return request.secure or (public_url or "").startswith("https://")


def set_cookie(response: web.StreamResponse, name: str, value: str, *, secure: bool, max_age: int | None) -> None:
    response.set_cookie(name, value, path=PATH, httponly=True, samesite="Lax", secure=secure, max_age=max_age)


async def start(db: Database, signer: Signer, account: AdminAccount, now: datetime, hours: float,
                response: web.StreamResponse, secure: bool) -> None:
    secret = secrets.token_urlsafe(32)
    assert account.id is not None
    async with db.session() as session:
        await session.exec(delete(AdminSession).where(col(AdminSession.expires_at) < now))
        session.add(AdminSession(id=_digest(secret), account_id=account.id, csrf_token=secrets.token_urlsafe(32),
                                 created_at=now, expires_at=now + timedelta(hours=hours)))
    set_cookie(response, COOKIE, signer.sign(secret), secure=secure, max_age=int(hours * 3600))


async def load(db: Database, signer: Signer, request: web.Request, now: datetime) -> Viewer | None:
    secret = signer.unsign(request.cookies.get(COOKIE))
    if secret is None:
        return None
    async with db.session() as session:
        row = await session.get(AdminSession, _digest(secret))
        if row is None or row.expires_at <= now:
            return None
        account = await session.get(AdminAccount, row.account_id)
        if account is None or account.disabled:
            return None
        return Viewer(account, row.csrf_token)


async def end(db: Database, signer: Signer, request: web.Request, response: web.StreamResponse) -> None:
    secret = signer.unsign(request.cookies.get(COOKIE))
    if secret is not None:
        async with db.session() as session:
            await session.exec(delete(AdminSession).where(col(AdminSession.id) == _digest(secret)))
    response.del_cookie(COOKIE, path=PATH)
