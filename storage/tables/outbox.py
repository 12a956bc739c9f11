"""Platform writes whose result must be stored (a share in its channel, a leader's answer in the
thread, a digest DM): recorded by the flow that decides them, sent after its commit, claimed before
the send like nudges are, so a crash or a second click never doubles one."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime, utcnow


class OutboxPost(SQLModel, table=True):
    __tablename__ = "outbox_post"
    __table_args__ = (UniqueConstraint("workspace_id", "key", name="uq_outbox_post_key"),
                      Index("ix_outbox_post_state", "state", "claimed_at"))

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(foreign_key="workspace.id", index=True, max_length=120)
    kind: str = Field(max_length=20, description="share_post | answer | digest")
    key: str = Field(max_length=120, description="what makes a second request the same post")
    subject_id: int = Field(description="the share (share_post, digest) or the reply answered")
    person_id: int = Field(foreign_key="person.id", index=True, description="who it is for or by")
    target: str = Field(max_length=200, description="channel id, or the person's platform id for a DM")
    is_dm: bool = False
    thread_id: str | None = Field(default=None, max_length=200)
    message: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    extra: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    state: str = Field(default="pending", max_length=20)
    claim_id: str | None = Field(default=None, max_length=40)
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    attempts: int = 0
    sent_channel_id: str | None = Field(default=None, max_length=200)
    sent_message_id: str | None = Field(default=None, max_length=200)
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
