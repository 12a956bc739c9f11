"""Find top-down phrasing in a leader's draft, and the modelling elements it lacks.

Rules come from prompts/coach/<locale>/directives.yaml (compiled by rules.py) and modelling.yaml.
Quoted speech is blanked first; a question is only checked by the rules that say so (polite
mandates are questions: "could everyone please just..."); negated obligations ("you don't have
to") are dropped, and so are reported or retracted ones. Imperatives are found by word form
(lemminflect), so an unlisted verb ("circulate the minutes") is caught too.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from bot.coach.lexicon import compile_pattern, load
from bot.coach.model import MISSING_FIELDS, MISSING_KINDS, Finding
from bot.coach.morph import english, has_form, is_noun
from bot.coach.rules import matches, rules
from bot.coach.text import Segment, clauses, mask_quotes, sentences

_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_NEG_HEAD = re.compile(r"(?:don't|dont|do\s+not|never)\s+", re.I)


def _imperative(locale: str) -> dict[str, Any]:
    """The imperative section of a locale's rules."""
    return load("directives", locale)["imperative"]


def _is_order_verb(word: str, rest: str, imp: dict[str, Any], locale: str) -> bool:
    """True when a clause-initial word is an instruction verb, judged by its form and what follows.

    A listed verb needs an object or particle only when it is also a noun ("post", "update"); an
    unlisted one is taken as a verb only with that evidence ("circulate the minutes").
    """
    low = word.lower()
    not_orders, verbs = _word_sets(locale)
    if low in not_orders or not rest.strip(" .!,;"):
        return False
    listed = low in verbs
    if not english(locale):
        return listed
    if not listed and not has_form(low, "base", locale):
        return False
    nxt = _WORD.match(rest.lstrip())
    gerund = bool(nxt and has_form(nxt.group(0), "gerund", locale))
    proper = bool(nxt and nxt.group(0)[:1].isupper())  # "Use Teams for..."
    evidence = bool(compile_pattern(imp["objects"]).match(rest)) or gerund or proper
    return evidence or (listed and not is_noun(low))


@lru_cache(maxsize=16)
def _word_sets(locale: str) -> tuple[frozenset[str], frozenset[str]]:
    """The imperative section's word lists as sets: not-orders and order verbs."""
    imp = _imperative(locale)
    return (frozenset(str(v).lower() for v in imp.get("not_orders", [])),
            frozenset(str(v).lower() for v in imp["verbs"]))


def imperative_span(text: str, locale: str = "en") -> tuple[int, int] | None:
    """Where a clause-initial imperative sits in text, or None when the clause is not one.

    Invitations ("tell me", "let me know") and optional asks ("... if you have any") are not
    imperatives for coaching purposes: they invite rather than instruct.
    """
    imp = _imperative(locale)
    voc = compile_pattern(imp["vocatives"]).match(text)
    pos = voc.end() if voc else 0
    head_start = pos
    pol = compile_pattern(imp["politeness"]).match(text, pos)
    pos = pol.end() if pol else pos
    body = text[pos:]
    if compile_pattern(imp["invitations"]).search(body) or compile_pattern(imp["optional_tail"]).search(text):
        return None
    neg = compile_pattern(imp.get("negative_head", _NEG_HEAD.pattern)).match(body)
    word_at = pos + (neg.end() if neg else 0)
    m = _WORD.match(text, word_at)
    if not m:
        return None
    if not _is_order_verb(m.group(0), text[m.end() :], imp, locale):
        return None
    return head_start, m.end()


def _sentence_findings(sentence: Segment, original: str, locale: str) -> list[Finding]:
    """Findings of every rule and the imperative check in one sentence."""
    distancing = compile_pattern(load("directives", locale)["distancing"])
    question = sentence.text.rstrip().endswith("?")
    found: list[Finding] = []
    parts = clauses(sentence)
    open_parts = [p for p in parts if not distancing.search(p.text)]  # looked up once, not per rule
    whole = [sentence] if not distancing.search(sentence.text) else []
    for rule in rules(locale):
        if question and not rule.questions:
            continue
        for part in open_parts if rule.scope == "clause" else whole:
            for s, e in matches(rule, part.text, sentence.text, locale):
                chunk = part.text[s:e]
                s, e = s + len(chunk) - len(chunk.lstrip()), e - len(chunk) + len(chunk.rstrip())
                a, b = part.start + s, part.start + e
                found.append(Finding(rule.kind, a, b, original[a:b], rule.why, rule.field))
    if not question:
        own_list = compile_pattern(load("directives", locale)["own_list"])
        for part in parts:
            before = original[sentence.start : part.start].rstrip()
            if distancing.search(part.text) or (before.endswith(":") and own_list.search(before)):
                continue  # "My plan: write three lines..." lists the leader's own steps
            span = imperative_span(part.text, locale)
            if span:
                a, b = part.start + span[0], part.start + span[1]
                found.append(Finding("imperative", a, b, original[a:b], _imperative(locale)["why"]))
    return found


def directive_findings(text: str, locale: str = "en") -> list[Finding]:
    """Every directive finding with spans into the original text, in reading order.

    Findings may overlap here; findings.curate() picks the few a person sees. One check asks
    about the same text several times (the draft, its rewrite, the rewrite of the rewrite), so
    the last few answers are kept; the cache is far smaller than any batch, so a benchmark over
    many drafts still measures real work.
    """
    return list(_findings(text, locale))


@lru_cache(maxsize=32)
def _findings(text: str, locale: str) -> tuple[Finding, ...]:
    found: list[Finding] = []
    for sentence in sentences(mask_quotes(text)):
        found += _sentence_findings(sentence, text, locale)
    return tuple(sorted(found, key=lambda f: (f.start, -(f.end - f.start))))


def missing_elements(text: str, locale: str = "en") -> list[Finding]:
    """Modelling elements the draft lacks: own effort, a named barrier, a question for them."""
    if not text.strip():
        return []
    elements = load("modelling", locale)["elements"]
    masked = mask_quotes(text)
    return [
        Finding(kind, 0, 0, "", elements[kind]["why"], MISSING_FIELDS[kind])
        for kind in MISSING_KINDS
        if not compile_pattern(elements[kind]["cue"]).search(masked)
    ]
