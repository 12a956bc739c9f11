"""Find top-down phrasing in a leader's draft, and the modelling elements it lacks.

Rules come from prompts/coach/<locale>/directives.yaml and modelling.yaml. Quoted speech is
blanked first, questions are skipped ("should we...?" asks, it does not order), negated
obligations ("you don't have to") are dropped, and so are reported or retracted ones.
"""
from __future__ import annotations

from typing import Any

from bot.coach.lexicon import compile_pattern, load
from bot.coach.model import MISSING_KINDS, Finding
from bot.coach.text import Segment, clauses, mask_quotes, sentences


def _rules(locale: str) -> dict[str, Any]:
    """The directive rule set with {subjects} expanded into each pattern."""
    return load("directives", locale)


def _negated(clause: str, start: int, end: int, data: dict[str, Any]) -> bool:
    """True when a negation sits inside the match or just before it in the same clause."""
    window = clause[max(0, start - int(data.get("negation_window", 12))) : end]
    return bool(compile_pattern(data["negations"]).search(window))


def _rule_findings(clause: Segment, original: str, data: dict[str, Any]) -> list[Finding]:
    """Findings from the phrase and mandate rules in one clause."""
    found: list[Finding] = []
    for rule in data.get("rules", []):
        pattern = compile_pattern(rule["pattern"].replace("{subjects}", data.get("subjects", "")))
        for m in pattern.finditer(clause.text):
            if rule.get("negatable") and _negated(clause.text, m.start(), m.end(), data):
                continue
            s, e = clause.start + m.start(), clause.start + m.end()
            found.append(Finding(rule["kind"], s, e, original[s:e], rule["why"]))
    return found


def imperative_span(text: str, data: dict[str, Any]) -> tuple[int, int] | None:
    """Where a clause-initial imperative verb sits in text, or None when the clause is not one.

    Invitations ("tell me", "let me know") and optional asks ("... if you have any") are not
    imperatives for coaching purposes: they invite rather than instruct.
    """
    imp = data["imperative"]
    if compile_pattern(imp["invitations"]).search(text) or compile_pattern(imp["optional_tail"]).search(text):
        return None
    voc = compile_pattern(imp["vocatives"]).match(text)
    pos = voc.end() if voc else 0
    pol = compile_pattern(imp["politeness"]).match(text, pos)
    head_start = pos
    pos = pol.end() if pol else pos
    m = compile_pattern(r"(?:don't\s+|do\s+not\s+|never\s+)?([A-Za-z']+)").match(text, pos)
    if not m:
        return None
    verbs = {v.lower() for v in imp["verbs"]}
    word = m.group(1).lower()
    if word not in verbs and not text[m.start() : m.end()].lower().startswith(("don't", "do not", "never")):
        return None
    return head_start, m.end()


def _imperative_findings(clause: Segment, original: str, data: dict[str, Any]) -> list[Finding]:
    """A finding when the clause opens with an instruction to the team."""
    span = imperative_span(clause.text, data)
    if span is None:
        return []
    s, e = clause.start + span[0], clause.start + span[1]
    return [Finding("imperative", s, e, original[s:e], data["imperative"]["why"])]


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """Drop findings contained in an earlier, wider finding of the same kind; sort by position."""
    out: list[Finding] = []
    for f in sorted(findings, key=lambda f: (f.start, -(f.end - f.start))):
        if any(o.kind == f.kind and o.start <= f.start and f.end <= o.end for o in out):
            continue
        out.append(f)
    return out


def directive_findings(text: str, locale: str = "en") -> list[Finding]:
    """Directive findings (phrases, mandates, imperatives) with spans into the original text."""
    data = _rules(locale)
    distancing = compile_pattern(data["distancing"])
    found: list[Finding] = []
    for sentence in sentences(mask_quotes(text)):
        if sentence.text.rstrip().endswith("?"):
            continue
        for clause in clauses(sentence):
            if distancing.search(clause.text):
                continue
            found += _rule_findings(clause, text, data)
            found += _imperative_findings(clause, text, data)
    return _dedupe(found)


def missing_elements(text: str, locale: str = "en") -> list[Finding]:
    """Modelling elements the draft lacks: own effort, a named barrier, a question for them."""
    if not text.strip():
        return []
    elements = load("modelling", locale)["elements"]
    masked = mask_quotes(text)
    return [
        Finding(kind, 0, 0, "", elements[kind]["why"])
        for kind in MISSING_KINDS
        if not compile_pattern(elements[kind]["cue"]).search(masked)
    ]
