"""What a leader's digest may say about HR's actions: pure, so the digest's owner calls it with
plain data. Actions carry no figures, so announcing them reveals nothing about anyone."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from bot.coach import theme_label
from bot.insights.model import ActionFact


@dataclass(frozen=True)
class Announcement:
    theme: str
    theme_label: str
    title: str
    owner: str
    taken_on: date


def actions_to_announce(actions: Iterable[ActionFact], since: date, until: date,
                        themes: Iterable[str] | None = None, locale: str = "en") -> list[Announcement]:
    """Actions taken from `since` up to (not including) `until`, oldest first; with `themes` (say,
    the barriers named in the leader's own thread) only actions on those themes."""
    wanted = None if themes is None else set(themes)
    return [Announcement(a.theme, theme_label(a.theme, locale), a.title, a.owner, a.taken_on)
            for a in sorted(actions, key=lambda a: (a.taken_on, a.id))
            if since <= a.taken_on < until and (wanted is None or a.theme in wanted)]
