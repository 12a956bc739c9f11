"""Modelling versions of a draft, offered only when they are safe to post.

reframe_text rewrites a whole draft; reframe rewrites the share form's four fields (try, why,
barrier, ask) each on its own. Every rewrite goes through safety.problems(); one that fails is
not offered, and the leader's own words are kept instead. The coach never fills a gap with a
placeholder: a missing barrier or question stays missing, and check_draft asks for it.
"""
from __future__ import annotations

import re

from bot.coach.directives import directive_findings
from bot.coach.lexicon import compile_pattern
from bot.coach.model import DIRECTIVE_KINDS, FIELDS
from bot.coach.rewrite import copy_for, extract_action, finish, rewrite_text
from bot.coach.safety import problems
from bot.coach.themes import OTHER, classify_themes, theme_label

__all__ = ["FIELDS", "clean_rewrite", "reframe", "reframe_text"]


def _directive(text: str, locale: str) -> bool:
    return any(f.kind in DIRECTIVE_KINDS for f in directive_findings(text, locale))


def clean_rewrite(text: str, locale: str = "en") -> str | None:
    """The rewrite of a directive draft when it passes every safety check, else None.

    A draft that is not directive needs no rewrite and comes back as it is (stripped).
    """
    text = text.strip()
    if not text or not _directive(text, locale):
        return text
    candidate = rewrite_text(text, locale)
    stable = lambda s: not _directive(s, locale) and rewrite_text(s, locale) == s  # noqa: E731
    return candidate if candidate and not problems(text, candidate, locale, stable=stable) else None


def reframe_text(text: str, locale: str = "en") -> str:
    """A modelling version of a whole draft, or the draft itself when no clean rewrite exists."""
    out = clean_rewrite(text, locale)
    return out if out is not None else text.strip()


def _lower_label(label: str) -> str:
    """Lower-case a label for mid-sentence use, leaving acronyms such as "IT" alone."""
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


def _reframe_barrier(text: str, locale: str) -> str:
    """The leader's own barrier as a first-person sentence, when it can be said from their words.

    A barrier that blames others or gives orders becomes its themes ("My own barrier is time.");
    a bare theme word becomes a sentence; anything else, including an empty one, is kept.
    """
    copy = copy_for(locale)
    text = text.strip()
    themes = [t for t in classify_themes(text, locale) if t != OTHER] if text else []
    if not text or not themes:
        return text
    if _directive(text, locale):
        lower = bool(copy.get("lower_labels", True))
        labels = [_lower_label(theme_label(t, locale)) if lower else theme_label(t, locale) for t in themes]
        return str(copy["barrier_from_themes"]).format(themes=copy["theme_joiner"].join(labels))
    short = len(text.split()) <= int(copy.get("bare_barrier_max_words", 4))
    if short and not compile_pattern(r"\b(?:I|I'm|my|me|ich|mein|meine|mir|mich)\b").search(text):
        return str(copy["barrier_bare"]).format(barrier=text.rstrip(".!"))
    return text


def _reframe_why(text: str, locale: str) -> str:
    """The "why" in the leader's voice when it was written as an order; kept when no clean one."""
    text = text.strip()
    if not text or not _directive(text, locale):
        return text
    copy = copy_for(locale)
    bare = compile_pattern(r"\A\s*(?:because|since|so\s+that|as|weil|da|damit)\s+").sub("", text)
    found = extract_action(bare, locale)
    candidate = finish(str(copy["why_rewrite"]).format(action=found[0]), copy) if found and not found[1] else None
    if candidate and not problems(text, candidate, locale):
        return candidate
    return reframe_text(text, locale)


def _reframe_ask(text: str, locale: str) -> str:
    """An ask written as an order becomes a request for help with the same action."""
    text = text.strip()
    if not text or not _directive(text, locale):
        return text
    copy = copy_for(locale)
    found = extract_action(re.sub(r"\?\s*\Z", "", text), locale)
    if found and not found[1]:
        candidate = finish(str(copy["ask_rewrite"]).format(action=found[0]), copy)
        if not problems(text, candidate, locale):
            return candidate
    return reframe_text(text, locale)


def reframe(fields: dict[str, str], locale: str = "en") -> dict[str, str]:
    """Rewrite the share form's four fields (try, why, barrier, ask) as modelling, each on its own.

    A field that already models, or has no clean rewrite, is returned as the leader wrote it.
    """
    get = lambda key: str(fields.get(key) or "")  # noqa: E731
    return {
        "try": reframe_text(get("try"), locale),
        "why": _reframe_why(get("why"), locale),
        "barrier": _reframe_barrier(get("barrier"), locale),
        "ask": _reframe_ask(get("ask"), locale),
    }
