"""Text helpers for the coach: split a draft into sentences and clauses, keeping offsets, and
blank out quoted speech so a reported directive ("my boss said 'you must'") is not flagged."""
from __future__ import annotations

import re
from dataclasses import dataclass

_QUOTES = re.compile(
    r"\"[^\"\n]*\"|“[^”\n]*”|„[^“”\"\n]*[“”\"]|«[^»\n]*»|‘[^’\n]*’|(?<![\w])'(?=\w)[^'\n]*?(?<=[\w.!?,])'(?![\w])"
)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]*\s+|\n+")
_CLAUSE_BREAK = re.compile(r"\s*(?:;|:(?=\s)|\s[-–—]\s)\s*")


@dataclass(frozen=True)
class Segment:
    """A piece of the draft and where it sits in the original text."""

    start: int
    end: int
    text: str


def mask_quotes(text: str) -> str:
    """Replace quoted spans with spaces of the same length so offsets still line up."""
    return _QUOTES.sub(lambda m: " " * len(m.group(0)), text)


def _split(text: str, start: int, pattern: re.Pattern[str]) -> list[Segment]:
    """Split text on pattern, trimming whitespace, keeping absolute offsets."""
    out: list[Segment] = []
    pos = 0
    for m in [*pattern.finditer(text), None]:
        end = m.start() if m else len(text)
        piece = text[pos:end]
        stripped = piece.strip()
        if stripped:
            lead = len(piece) - len(piece.lstrip())
            s = start + pos + lead
            out.append(Segment(s, s + len(stripped), stripped))
        if m:
            pos = m.end()
    return out


def sentences(text: str) -> list[Segment]:
    """Sentences of a draft, split on end punctuation and line breaks."""
    return _split(text, 0, _SENTENCE_END)


def clauses(sentence: Segment) -> list[Segment]:
    """Clauses of a sentence, split on semicolons, colons and spaced dashes."""
    return _split(sentence.text, sentence.start, _CLAUSE_BREAK)
