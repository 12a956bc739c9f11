"""Rate-limit pauses shared by every replica: a 429 with Retry-After pauses that workspace's calls
of that method (or that conversation) until `until`, for every process on this database."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class PlatformPause(SQLModel, table=True):
    __tablename__ = "platform_pause"

    workspace_id: str = Field(primary_key=True, max_length=120)
    key: str = Field(primary_key=True, max_length=200, description="a Web API method, or conversation:<id>")
    until: datetime = Field(sa_type=UTCDateTime, nullable=False)
