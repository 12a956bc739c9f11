"""The rule engine behind the directive detector: data rules from directives.yaml, compiled once.

A rule is a regex plus small checks a regex cannot do alone: a named group must be a verb form
(so "are circulated" is a passive but "are busy" is not), a sentence-level guard cancels it when
the leader speaks about themself, and a cue must be present for weak patterns.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from bot.coach.lexicon import compile_pattern, load
from bot.coach.morph import has_form

_MACRO = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Rule:
    """One compiled detector rule."""

    kind: str
    why: str
    pattern: re.Pattern[str]
    negatable: bool = False
    guard: re.Pattern[str] | None = None
    cue: re.Pattern[str] | None = None
    checks: tuple[tuple[str, str], ...] = ()
    questions: bool = False
    scope: str = "clause"
    field: str | None = None


def expand(pattern: str, macros: dict[str, str], depth: int = 0) -> str:
    """Replace {name} with its macro, recursively; unknown names (regex counts like {1,3}) stay."""
    if depth > 5:
        return pattern
    out = _MACRO.sub(lambda m: macros.get(m.group(1), m.group(0)), pattern)
    return out if out == pattern else expand(out, macros, depth + 1)


@lru_cache(maxsize=16)
def rules(locale: str) -> tuple[Rule, ...]:
    """Every rule of a locale, macros expanded and compiled."""
    data = load("directives", locale)
    macros = {str(k): str(v).strip() for k, v in (data.get("macros") or {}).items()}

    def comp(text: Any) -> re.Pattern[str] | None:
        return compile_pattern(expand(str(text), macros)) if text else None

    out = []
    for spec in data.get("rules", []):
        out.append(Rule(
            kind=str(spec["kind"]), why=str(spec["why"]), pattern=comp(spec["pattern"]),  # type: ignore[arg-type]
            negatable=bool(spec.get("negatable", False)), guard=comp(spec.get("guard")), cue=comp(spec.get("cue")),
            checks=tuple((str(k), str(v)) for k, v in (spec.get("checks") or {}).items()),
            questions=bool(spec.get("questions", False)), scope=str(spec.get("scope", "clause")),
            field=spec.get("field"),
        ))
    return tuple(out)


@lru_cache(maxsize=16)
def negations(locale: str) -> tuple[re.Pattern[str], int, int, re.Pattern[str] | None]:
    """The negation cue, the windows (characters before and after a match) it is looked for in,
    and the clause openings that negate a whole clause."""
    data = load("directives", locale)
    opener = data.get("negated_clause")
    return (compile_pattern(data["negations"]), int(data.get("negation_window", 12)),
            int(data.get("negation_after", 0)), compile_pattern(opener) if opener else None)


def _negated(text: str, m: re.Match[str], locale: str) -> bool:
    """True when a negation sits inside the match, just before it (just after it, for languages
    that negate after the verb), or opens the clause."""
    cue, before, after, opener = negations(locale)
    return bool(cue.search(text[max(0, m.start() - before) : m.end() + after]) or (opener and opener.search(text)))


def _checks_pass(rule: Rule, m: re.Match[str], locale: str) -> bool:
    """Every named group a rule checks holds a word of the required verb form."""
    for group, form in rule.checks:
        word = m.groupdict().get(group)
        if word is None or not has_form(word, form, locale):
            return False
    return True


def matches(rule: Rule, text: str, sentence: str, locale: str) -> list[tuple[int, int]]:
    """Spans (into text) where the rule fires, after its cue, guard, checks and negation."""
    if rule.cue is not None and not rule.cue.search(sentence):
        return []
    if rule.guard is not None and rule.guard.search(sentence):
        return []
    spans = []
    for m in rule.pattern.finditer(text):
        if m.end() == m.start() or not _checks_pass(rule, m, locale):
            continue
        if rule.negatable and _negated(text, m, locale):
            continue
        spans.append((m.start(), m.end()))
    return spans
