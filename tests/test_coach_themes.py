"""Barrier themes: multi-label, ordered, never empty, labels from copy, and honest figures."""
from __future__ import annotations

import pytest

from bot.coach import THEMES, classify_themes, theme_label, theme_labels
from bot.coach.lexicon import load


def test_themes_are_the_eight_from_the_issue() -> None:
    assert THEMES == ("time", "fear", "policy", "it_access", "know_how", "control", "system", "other")


@pytest.mark.parametrize(
    "text, theme",
    [
        ("I'm completely swamped until the release.", "time"),
        ("I'm scared I'll get into trouble for posting the wrong thing.", "fear"),
        ("Compliance says client names can't go in chat.", "policy"),
        ("I can't log in from the shop floor tablets.", "it_access"),
        ("I honestly don't know how to start a thread.", "know_how"),
        ("My manager wants to approve every post first.", "control"),
        ("Our bonus only counts tickets closed.", "system"),
    ],
)
def test_single_theme(text: str, theme: str) -> None:
    assert classify_themes(text)[0] == theme


def test_mixed_reply_gets_several_themes() -> None:
    assert set(classify_themes("No time, and IT blocks the app on my phone anyway.")) >= {"time", "it_access"}


def test_nothing_matching_is_other_never_empty() -> None:
    assert classify_themes("Sounds good, count me in!") == ["other"]
    assert classify_themes("") == ["other"]


def test_labels_come_from_copy() -> None:
    copy = load("themes", "en")["themes"]
    assert theme_labels() == {k: v["label"] for k, v in copy.items()}
    assert theme_label("it_access") == copy["it_access"]["label"]
    assert theme_label("unknown") == "unknown"
