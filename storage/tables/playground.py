"""The playground's own record of every message it showed, so a page reload shows the history."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime, utcnow


class PlaygroundMessage(SQLModel, table=True):
    """One message in the fake workspace: a DM, a channel post or thread reply, a form, a home view.

    `conversation` is `dm:<user>`, `channel:<id>` or `home:<user>`; `payload` holds the neutral
    message, form or home view serialised as JSON, so the page renders exactly what the engine sent.
    """

    __tablename__ = "playground_message"
    __table_args__ = (Index("ix_playground_message_conversation", "workspace_id", "conversation"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(foreign_key="workspace.id", max_length=120)
    conversation: str = Field(max_length=200)
    thread_id: str | None = Field(default=None, max_length=200)
    message_id: str = Field(max_length=200, unique=True)
    author: str = Field(max_length=120)
    kind: str = Field(max_length=20)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
