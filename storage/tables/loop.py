"""The weekly loop's own records: barriers teammates named privately (kept with no author), who has
already told a leader privately (so a second note can't be sent, and the "three teammates" rule can
count them), and the longest streak a leader has been shown (so it never goes down)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel


class PrivateNote(SQLModel, table=True):
    """A barrier told to a leader privately. No author, no time of day, a random key: nothing in the
    row says who wrote it. The leader sees it only once three teammates have answered the share."""

    __tablename__ = "private_note"

    id: str = Field(primary_key=True, max_length=32)
    workspace_id: str = Field(foreign_key="workspace.id", index=True, max_length=120)
    share_id: int = Field(foreign_key="share.id", index=True, ondelete="CASCADE")
    text: str = ""
    themes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    told_on: date


class PrivateNoteSender(SQLModel, table=True):
    """That a teammate told a share's leader something privately, kept apart from what they said.
    The primary key allows one note per teammate and share, so a double submit is stored once."""

    __tablename__ = "private_note_sender"

    share_id: int = Field(foreign_key="share.id", primary_key=True, ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", primary_key=True, ondelete="CASCADE")


class StreakRecord(SQLModel, table=True):
    """The longest streak a leader has been shown: a deleted answer or an erased share never lowers it."""

    __tablename__ = "streak_record"

    person_id: int = Field(foreign_key="person.id", primary_key=True, ondelete="CASCADE")
    longest: int = 0
