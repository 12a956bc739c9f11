"""Checks a suggested rewrite must pass before a leader sees it, whoever wrote it (rules or model).

A suggestion is safe to post when it is not a directive by the coach's own detector, holds no
order words and no placeholder, is first person, keeps at least half of the leader's content
words, reads as finished sentences, and is stable (the coach finds nothing to rewrite in it).
Each check returns a short reason so eval and tests can say which one failed.
"""
from __future__ import annotations

from typing import Any

import re
from collections.abc import Callable

from bot.coach.directives import directive_findings
from bot.coach.lexicon import compile_pattern, load
from bot.coach.model import DIRECTIVE_KINDS
from bot.coach.morph import has_form, verb_lemma
from bot.coach.text import sentences

_WORD = re.compile(r"[^\W\d_][\w'’-]*")
MIN_KEPT = 0.5  # share of the leader's content words a rewrite keeps


def _safety(locale: str) -> dict[str, Any]:
    """The locale's safety lexicon (stopwords, order words, frames) from safety.yaml."""
    return load("safety", locale)


def _norm(word: str, locale: str) -> str:
    """A word reduced for comparison: lower case, verb lemma, plural s dropped (or, for a locale
    with stem_endings, a light stem, so "gepostet" and "zu posten" count as the same word)."""
    low = word.lower().strip("'’")
    lemma = verb_lemma(low, locale)
    low = lemma or low
    data = _safety(locale)
    if data.get("stem_endings"):
        return _stem(low, data)
    return low[:-1] if len(low) > 3 and low.endswith("s") and not low.endswith("ss") else low


def _stem(low: str, data: dict[str, Any]) -> str:
    """Drop a "ge"/"zu" infix after a separable prefix, a leading "ge", then the longest ending."""
    for prefix in sorted((str(p) for p in data.get("stem_prefixes", [])), key=len, reverse=True):
        if low.startswith((prefix + "ge", prefix + "zu")) and len(low) > len(prefix) + 4:
            low = prefix + low[len(prefix) + 2:]
            break
    else:
        low = low[2:] if low.startswith("ge") and len(low) > 5 else low
    for ending in sorted((str(e) for e in data["stem_endings"]), key=len, reverse=True):
        if low.endswith(ending) and len(low) - len(ending) >= 4:
            return low[: -len(ending)]
    return low


def content_words(text: str, locale: str = "en") -> set[str]:
    """The leader's content words: not stopwords, not order or team words, normalised."""
    data = _safety(locale)
    skip = {str(w).lower() for w in data.get("stopwords", [])}
    words = {(w.lower(), _norm(w, locale)) for w in _WORD.findall(text) if len(w) > 2}
    return {norm for low, norm in words if low not in skip and norm not in skip}


def kept_share(original: str, rewrite: str, locale: str = "en") -> float:
    """Share of the original's content words that survive in the rewrite (1.0 when it has none)."""
    before = content_words(original, locale)
    return len(before & content_words(rewrite, locale)) / len(before) if before else 1.0


def _grammar(original: str, rewrite: str, locale: str) -> str | None:
    """The first way the rewrite fails to read as finished sentences, or None."""
    data = _safety(locale)
    for sentence in sentences(rewrite):
        text = sentence.text
        if text in original:
            continue  # the leader's own sentence, kept as written
        if not re.match(r"[\W\d]*[A-ZÄÖÜ0-9#@]", text) and _WORD.search(text):
            return f"sentence starts in lower case: {text!r}"
        if compile_pattern(str(data["dangling"])).search(text):
            return f"sentence ends on a function word: {text!r}"
    if re.search(r"\b(\w+)\s+\1\b", rewrite, re.I) and not re.search(r"\b(\w+)\s+\1\b", original, re.I):
        return "a word is doubled"
    for m in compile_pattern(str(data["frames"])).finditer(rewrite):
        if m.group(0) in original:
            continue
        word = m.group("verb")
        if not _is_base(word, locale):
            return f"the frame is not followed by a verb: {m.group(0)!r}"
        if data.get("frame_forbidden") and compile_pattern(str(data["frame_forbidden"])).search(m.group(0)):
            return f"the action still holds a subject or a finite verb: {m.group(0)!r}"
        if compile_pattern(str(data["finite_after"])).match(rewrite, m.end()):
            return f"a second main verb follows the action: {rewrite[m.start():m.end() + 30]!r}"
    return None


def _is_base(word: str, locale: str) -> bool:
    """True when word can be the base form of a verb."""
    data = _safety(locale)
    extra = {str(v).lower() for v in data.get("verbs", [])}
    if data.get("base_verb"):
        return bool(compile_pattern(str(data["base_verb"])).match(word))
    return word.lower() in extra or has_form(word, "base", locale)


def problems(original: str, rewrite: str | None, locale: str = "en",
             stable: Callable[[str], bool] | None = None) -> list[str]:
    """Every reason the rewrite is not safe to post; an empty list means it passes.

    stable: a callable telling whether the coach leaves the rewrite unchanged (idempotence);
    the caller passes it so this module does not depend on the rewriter.
    """
    if rewrite is None or not rewrite.strip():
        return ["no rewrite"]
    data = _safety(locale)
    out: list[str] = []
    if any(f.kind in DIRECTIVE_KINDS for f in directive_findings(rewrite, locale)):
        out.append("still directive by the coach's own detector")
    if compile_pattern(str(data["order_words"])).search(rewrite):
        out.append("contains an order word")
    if compile_pattern(str(data["placeholders"])).search(rewrite):
        out.append("contains a placeholder")
    if not compile_pattern(str(data["first_person"])).search(rewrite):
        out.append("not first person")
    if kept_share(original, rewrite, locale) < MIN_KEPT:
        out.append("keeps fewer than half of the leader's content words")
    grammar = _grammar(original, rewrite, locale)
    if grammar:
        out.append(grammar)
    if stable is not None and not out and not stable(rewrite):
        out.append("not stable: the coach would rewrite its own rewrite")
    return out


def field_problems(draft: dict[str, str], answer: dict[str, str], locale: str = "en") -> list[str]:
    """Every reason a field-by-field rewrite (from the rules or a language model) is unsafe.

    The try field gets every check; the others must not give orders, hold placeholders or drop
    the leader's words; and no barrier may be invented where the leader named none.
    """
    data = _safety(locale)
    out: list[str] = []
    for key in ("try", "why", "barrier", "ask"):
        before, after = str(draft.get(key) or "").strip(), str(answer.get(key) or "").strip()
        if key == "try" and before:
            out += [f"try: {p}" for p in problems(before, after, locale)]
            continue
        if key == "barrier" and after and not before:
            out.append("barrier: names a barrier the leader did not")
        if before and not after:
            out.append(f"{key}: the leader's words were dropped")
        if not after:
            continue
        if any(f.kind in DIRECTIVE_KINDS for f in directive_findings(after, locale)):
            out.append(f"{key}: still directive")
        if compile_pattern(str(data["order_words"])).search(after):
            out.append(f"{key}: contains an order word")
        if compile_pattern(str(data["placeholders"])).search(after):
            out.append(f"{key}: contains a placeholder")
        if before and kept_share(before, after, locale) < MIN_KEPT:
            out.append(f"{key}: keeps fewer than half of the leader's content words")
    return out
