"""Console accounts: argon2id password hashes, and sign-in with a lockout after repeated failures
(counted per email, the same for an unknown email, so a lockout reveals nothing)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select

from storage.db import Database
from storage.tables import Workspace
from storage.tables.admin import ROLES, AdminAccount, AdminLoginAttempt

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD = 12
HASHER = PasswordHasher()
_DUMMY = HASHER.hash("a password nobody has, so unknown emails cost the same time")


class AccountError(ValueError):
    pass


@dataclass(frozen=True)
class SignIn:
    """The outcome of one attempt: the account, or why not (`locked` says for how long)."""

    account: AdminAccount | None
    locked_minutes: int = 0


def normal_email(email: str) -> str:
    return email.strip().lower()


async def create_account(db: Database, workspace_id: str, email: str, role: str, password: str | None) -> AdminAccount:
    email = normal_email(email)
    if role not in ROLES:
        raise AccountError(f"role {role!r} is not one of: {', '.join(ROLES)}")
    if "@" not in email or len(email) > 254:
        raise AccountError(f"{email!r} is not an email address")
    if password is not None and len(password) < MIN_PASSWORD:
        raise AccountError(f"the password is shorter than {MIN_PASSWORD} characters")
    try:
        async with db.session() as session:
            if await session.get(Workspace, workspace_id) is None:
                raise AccountError(f"workspace {workspace_id!r} is not installed")
            account = AdminAccount(workspace_id=workspace_id, email=email, role=role,
                                   password_hash=HASHER.hash(password) if password else None)
            session.add(account)
    except IntegrityError:
        raise AccountError(f"{email} already has an account") from None
    return account


async def sign_in(db: Database, email: str, password: str, now: datetime) -> SignIn:
    """Checks the password unless the email is locked out; every attempt is recorded."""
    email = normal_email(email)
    async with db.session() as session:
        since = now - LOCKOUT
        failures = (await session.exec(select(func.count()).select_from(AdminLoginAttempt).where(
            AdminLoginAttempt.email == email, col(AdminLoginAttempt.ok).is_(False),
            col(AdminLoginAttempt.at) >= since))).one()
        if failures >= MAX_FAILURES:
            oldest = (await session.exec(select(func.min(AdminLoginAttempt.at)).where(
                AdminLoginAttempt.email == email, col(AdminLoginAttempt.ok).is_(False),
                col(AdminLoginAttempt.at) >= since))).one()
            wait = (oldest + LOCKOUT - now) if oldest else LOCKOUT
            session.add(AdminLoginAttempt(email=email, ok=False, at=now))
            return SignIn(None, max(1, int(wait.total_seconds() // 60) + 1))
        account = (await session.exec(select(AdminAccount).where(AdminAccount.email == email))).first()
        ok = _verify(account.password_hash if account and not account.disabled else None, password)
        session.add(AdminLoginAttempt(email=email, ok=ok, at=now))
        if not ok or account is None:
            return SignIn(None)
        account.last_sign_in_at = now
        session.add(account)
        return SignIn(account)


def _verify(stored: str | None, password: str) -> bool:
    try:
        return HASHER.verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False
