"""The HR console's own records (accounts, sessions, sign-in attempts) and the directory's groups:
who may sign in to which workspace, and which people a Slack user group or channel holds."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime, utcnow

ROLES = ("admin", "viewer")


class AdminAccount(SQLModel, table=True):
    """One person who may sign in to the console of one workspace. An email signs in to one
    workspace only, so a session never has to ask which tenant it is in."""

    __tablename__ = "admin_account"

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(foreign_key="workspace.id", index=True, max_length=120)
    email: str = Field(max_length=254, unique=True, description="lower case")
    role: str = Field(default="viewer", max_length=20, description="admin (change) | viewer (read)")
    password_hash: str | None = Field(default=None, max_length=200, description="argon2id; None: single sign-on only")
    disabled: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    last_sign_in_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


class AdminSession(SQLModel, table=True):
    """A signed-in browser. `id` is the SHA-256 of the cookie's secret, so a copy of this table
    signs nobody in; `csrf_token` is what every form of the session must carry."""

    __tablename__ = "admin_session"

    id: str = Field(primary_key=True, max_length=64)
    account_id: int = Field(foreign_key="admin_account.id", index=True, ondelete="CASCADE")
    csrf_token: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)


class AdminLoginAttempt(SQLModel, table=True):
    """Every sign-in attempt by email, kept long enough to lock out repeated failures."""

    __tablename__ = "admin_login_attempt"
    __table_args__ = (Index("ix_admin_login_attempt_email_at", "email", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254)
    ok: bool = False
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class DirectoryGroup(SQLModel, table=True):
    """A Slack user group or a channel as last synced: campaigns name it by handle, name or id."""

    __tablename__ = "directory_group"
    __table_args__ = (UniqueConstraint("workspace_id", "kind", "external_id", name="uq_directory_group"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(foreign_key="workspace.id", index=True, max_length=120)
    kind: str = Field(max_length=20, description="usergroup | channel")
    external_id: str = Field(max_length=200)
    handle: str = Field(default="", max_length=200)
    name: str = Field(default="", max_length=200)
    synced_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class DirectoryMember(SQLModel, table=True):
    __tablename__ = "directory_member"

    group_id: int = Field(foreign_key="directory_group.id", primary_key=True, ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", primary_key=True, index=True)
