"""Choose the findings a person sees: at most three, most important first, no overlapping spans,
each attached to the share-form field it concerns.

The detector reports everything it notices, and overlapping rules often fire on one phrase
("Please ensure" is polite and "make sure" at once); a leader needs the one that matters.
"""
from __future__ import annotations

from bot.coach.lexicon import compile_pattern, load
from bot.coach.model import DIRECTIVE_ORDER, MISSING_KINDS, NO_REWRITE, Finding
from bot.coach.text import sentences

MAX_FINDINGS = 3
_LEAD_DIRECTIVES = 2  # directive spans shown before the notes about the suggestion
_NOTES = (NO_REWRITE, "pressure", "blame")


def field_for(finding: Finding, text: str, locale: str = "en") -> str | None:
    """The share field a finding concerns: the rule's own field, else judged from its sentence."""
    if finding.field is not None:
        return finding.field
    if finding.kind == NO_REWRITE:
        return "try"
    data = load("modelling", locale)
    sentence = next((s.text for s in sentences(text) if s.start <= finding.start < s.end), "")
    if compile_pattern(data["why_cue"]).search(sentence):
        return "why"
    if compile_pattern(data["ask_cue"]).search(sentence):
        return "ask"
    return "try"


def _with_field(finding: Finding, field: str | None) -> Finding:
    return Finding(finding.kind, finding.start, finding.end, finding.text, finding.why, field)


def _overlaps(f: Finding, kept: list[Finding]) -> bool:
    return bool(f.text) and any(k.text and k.field == f.field and k.start < f.end and f.start < k.end for k in kept)


def curate(found: list[Finding], text: str, locale: str = "en", limit: int = MAX_FINDINGS) -> list[Finding]:
    """The findings to show: two directive spans (one when there is no suggestion), then why the
    suggestion is missing or left something out, then the other spans, then the missing
    elements; no two spans overlapping."""
    rank = {kind: i for i, kind in enumerate(DIRECTIVE_ORDER)}
    pressure = [f for f in found if f.kind == "pressure"]
    found = [f for f in found if f.kind == "pressure" or not _overlaps(f, pressure)]  # say why it was left out
    spans = sorted((f for f in found if f.text and f.kind not in _NOTES),
                   key=lambda f: (f.start, rank.get(f.kind, 99), -(f.end - f.start)))
    notes = sorted((f for f in found if f.kind in _NOTES), key=lambda f: (_NOTES.index(f.kind), f.start))
    missing = sorted((f for f in found if f.kind in MISSING_KINDS), key=lambda f: MISSING_ORDER.index(f.kind))
    notes += [f for f in found if not f.text and f.kind not in _NOTES and f.kind not in MISSING_KINDS]
    lead = 1 if any(f.kind == NO_REWRITE for f in notes) else _LEAD_DIRECTIVES
    kept: list[Finding] = []
    for group in (spans[:lead], notes, spans[lead:], missing):
        for f in group:
            if len(kept) < limit and not _overlaps(f, kept) and f not in kept:
                kept.append(f)
    order = {id(f): i for i, f in enumerate(kept)}
    return [_with_field(f, field_for(f, text, locale)) for f in sorted(kept, key=lambda f: order[id(f)])]


# The missing element that matters most comes first: a named barrier, then the question, then own effort.
MISSING_ORDER: tuple[str, ...] = ("missing_barrier", "missing_question", "missing_own_effort")
