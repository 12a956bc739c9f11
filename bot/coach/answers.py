"""Coach a leader's answer to a teammate's reply: flag orders ("You must make time for it, no
exceptions") the same way as in a draft, and tie advice to the barrier the teammate named.

The advice per barrier theme is data (prompts/coach/<locale>/answers.yaml), so HR or a new
locale can change it without code. Pure: text and themes in, an AnswerCheck out.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.coach.directives import directive_findings
from bot.coach.findings import curate
from bot.coach.lexicon import compile_pattern, load
from bot.coach.model import DIRECTIVE_KINDS, Finding
from bot.coach.themes import OTHER

UNADDRESSED = "barrier_not_addressed"


@dataclass(frozen=True)
class AnswerCheck:
    """The coach's verdict on an answer: is it an order, what it noticed, and what to try."""

    directive: bool
    findings: list[Finding] = field(default_factory=list)
    advice: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: {"directive", "findings", "advice"}."""
        return {"directive": self.directive, "findings": [f.to_dict() for f in self.findings], "advice": self.advice}


def advice_for(theme: str, locale: str = "en") -> str:
    """The advice for one barrier theme; unknown themes get the advice for "other"."""
    table = load("answers", locale)["advice"]
    return str((table.get(theme) or table[OTHER])["advice"])


def check_answer(text: str, barrier_themes: list[str], locale: str = "en") -> AnswerCheck:
    """Check a leader's answer to a reply whose barrier themes are given (strongest first).

    Findings: directive phrasing (with spans), then one finding per named barrier the answer does
    not take up, whose why is the advice. Advice lists every named theme's advice, in order.
    """
    data = load("answers", locale)
    table = data["advice"]
    themes = [t for t in dict.fromkeys(barrier_themes or [OTHER])]
    found = [f for f in directive_findings(text, locale)]
    directive = any(f.kind in DIRECTIVE_KINDS for f in found)
    advice = [advice_for(t, locale) for t in themes]
    for theme in themes:
        spec = table.get(theme) or table[OTHER]
        if directive or not compile_pattern(str(spec["cue"])).search(text):
            found.append(Finding(UNADDRESSED, 0, 0, "", f"{data['why_missing']} {spec['advice']}"))
    notes = curate(found, text, locale)
    return AnswerCheck(directive=directive, findings=[_no_field(f) for f in notes], advice=advice)


def _no_field(f: Finding) -> Finding:
    """Answers are not share fields: the findings carry no field."""
    return Finding(f.kind, f.start, f.end, f.text, f.why, None)
