"""Barrier themes for replies and for a leader's own barrier: multi-label, from cue lexicons in
prompts/coach/<locale>/themes.yaml. They feed HR's aggregates, so a reply with no cue is "other"
rather than forced into a theme."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from bot.coach.lexicon import DEFAULT_LOCALE, compile_pattern, load

OTHER = "other"


def _themes(locale: str) -> dict[str, dict[str, Any]]:
    """Theme definitions (label, cues) in canonical order."""
    return load("themes", locale)["themes"]


THEMES: tuple[str, ...] = tuple(_themes(DEFAULT_LOCALE))


def theme_labels(locale: str = DEFAULT_LOCALE) -> dict[str, str]:
    """Human label per theme, from the locale's copy (English fallback)."""
    return {key: str(spec["label"]) for key, spec in _themes(locale).items()}


def theme_label(theme: str, locale: str = DEFAULT_LOCALE) -> str:
    """One theme's human label; unknown keys come back unchanged so nothing is lost in a report."""
    return theme_labels(locale).get(theme, theme)


@lru_cache(maxsize=16)
def _cues(locale: str) -> tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]:
    """Each theme's compiled cues, built once per locale: replies are classified in bulk."""
    return tuple((key, tuple(compile_pattern(str(c)) for c in spec.get("cues") or []))
                 for key, spec in _themes(locale).items())


def theme_scores(text: str, locale: str = DEFAULT_LOCALE) -> dict[str, int]:
    """How many cue patterns of each theme match the text (quotes are kept: a reply may quote
    the policy that blocks them)."""
    scores: dict[str, int] = {}
    for key, cues in _cues(locale):
        hits = sum(1 for cue in cues if cue.search(text))
        if hits:
            scores[key] = hits
    return scores


def classify_themes(text: str, locale: str = DEFAULT_LOCALE) -> list[str]:
    """Themes of a reply, strongest first (ties in canonical order); ["other"] when none match."""
    scores = theme_scores(text, locale)
    order = list(_themes(locale))
    ranked = sorted(scores, key=lambda k: (-scores[k], order.index(k)))
    return ranked or [OTHER]


__all__ = ["THEMES", "OTHER", "classify_themes", "theme_label", "theme_labels", "theme_scores"]
