"""Rewrite directive sentences in the leader's own voice, from the leader's own words.

"Starting Monday, all updates go in the channel" becomes "Starting Monday, I'm trying to put my
updates in the channel": the directive head is peeled off, a passive is turned into the leader's
verb (lemminflect gives "share" for "shared"), and the pronouns move from "you" to "I". Pressure
and threats are left out rather than rewritten; when no action can be found the sentence has no
clean rewrite (None) instead of a template spliced into it. Phrasing: prompts/coach/<locale>/reframe.yaml.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.coach.directives import directive_findings
from bot.coach.lexicon import compile_pattern, load
from bot.coach.model import Finding
from bot.coach.morph import has_form, is_noun, is_word, verb_lemma
from bot.coach.text import Segment, clauses, sentences
from bot.coach.verbfinal import verb_final_action

_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_NOT_VERBS = frozenset("in on at by for of to up out off with the a an more less all any some no".split())
DROPPED_KINDS = frozenset({"pressure", "consequence", "blame"})  # left out of a rewrite, never rewritten


def copy_for(locale: str) -> dict[str, Any]:
    """Reframe phrasing and patterns for a locale."""
    return load("reframe", locale)


def swap_pronouns(action: str, copy: dict[str, Any]) -> str:
    """Move the action from the team to the leader: your -> my, and "post updates" -> "post my updates"."""
    swaps = {str(k).lower(): str(v) for k, v in copy.get("pronouns", {}).items()}
    action = _WORD.sub(lambda m: swaps.get(m.group(0).lower(), m.group(0)), action)
    nouns = {str(n).lower() for n in copy.get("possessable", [])}
    words = action.split(" ")
    if len(words) >= 2 and words[1].lower().strip(".,") in nouns:
        words.insert(1, "my")
    return re.sub(r"\bmy\s+my\b", "my", " ".join(words))


def base_verb(word: str, locale: str) -> str | None:
    """The base form when word is a verb form that can open an action ("putting" -> "put")."""
    low = word.lower()
    if low in _NOT_VERBS:
        return None
    if has_form(low, "base", locale):
        return low
    if any(has_form(low, form, locale) for form in ("gerund", "participle", "present")):
        return verb_lemma(low, locale)
    return None


def _det(det: str, obj: str, copy: dict[str, Any]) -> str:
    """The determiner in the leader's version: every/each kept, "the" kept, anything else "my"."""
    det = det.lower()
    if obj.lower() in ("everything", "anything"):
        return ""
    if det in {str(d) for d in copy.get("kept_determiners", [])} or det == "the":
        return det
    return "my"


def shape_action(text: str, copy: dict[str, Any], locale: str) -> str | None:
    """An action from a sentence shape without a verb at the start (passives, placements)."""
    for shape in copy.get("shapes", []):
        m = compile_pattern(shape["pattern"]).match(text)
        if m is None:
            continue
        g = {k: (v or "") for k, v in m.groupdict().items()}
        if g.get("ger"):
            verb = verb_lemma(g["ger"], locale) if has_form(g["ger"], "gerund", locale) else None
        elif g.get("pp"):
            verb = verb_lemma(g["pp"], locale) if has_form(g["pp"], "participle", locale) else None
            verb = None if verb in {str(v) for v in copy.get("not_actions", [])} else verb
        else:
            table = shape.get("verb") or copy.get("place_verbs", {}).get(g.get("pv", "").lower(), "")
            verb = table.get(g.get("prep", "").lower(), "put") if isinstance(table, dict) else str(table)
        if not verb and "{verb}" in shape["action"]:
            continue
        rest = compile_pattern(copy["agents"]).sub("", g.get("rest", "")).rstrip(".!;:, ")
        obj = g.get("obj", "")
        if obj[:1].isupper() and obj[1:2].islower() and is_word(obj.split()[0]):
            obj = obj[0].lower() + obj[1:]  # it opened the sentence; now it is mid-sentence
        det = _det(g.get("det", ""), obj, copy)
        out = shape["action"].format(verb=verb, det=det, obj=obj, prep=g.get("prep", ""), rest=rest)
        return re.sub(r"\s{2,}", " ", out).strip()
    return None


def extract_action(clause: str, locale: str = "en", kinds: frozenset[str] = frozenset()) -> tuple[str, bool] | None:
    """The leader's own action in a directive clause, and whether it was a "don't"; None if none.

    kinds: the finding kinds in the clause; a head marked with kinds is only tried for those.
    """
    copy = copy_for(locale)
    text = compile_pattern(copy["tails"]).sub("", clause).strip()
    stages, subordinate = [text], False
    for head in copy.get("heads", []):
        if isinstance(head, dict) and head.get("kinds") and not kinds & set(head["kinds"]):
            continue
        pattern, replace = (head["pattern"], head.get("replace", "")) if isinstance(head, dict) else (head, "")
        compiled = compile_pattern(str(pattern))
        hit = isinstance(head, dict) and bool(head.get("subordinate")) and compiled.search(text) is not None
        peeled = compiled.sub(str(replace), text, count=1).lstrip()
        subordinate = subordinate or hit  # a zero-width head can mark a verb-last clause too
        text = peeled
        stages.append(text)
    text = compile_pattern(copy["tails"]).sub("", text).strip().rstrip(".!;:, ")
    if copy.get("verb_final"):
        action = verb_final_action(text, copy, locale, subordinate, lambda s: swap_pronouns(s, copy))
        return (action, False) if action else None
    negative = False
    neg = compile_pattern(r"\A(?:don't|dont|do\s+not|never|not)\s+").match(text)
    if neg:
        negative, text = True, text[neg.end() :]
    first = _WORD.match(text)
    verb, licensed = _verb_reading(first.group(0), text[first.end() :], clause, copy, locale) if first else (None, False)
    objects = compile_pattern(load("directives", locale)["imperative"]["objects"])
    plain = bool(verb and first and verb not in {str(v) for v in copy.get("shape_first", [])}
                 and (licensed or not is_noun(verb) or objects.match(text[first.end() :])))
    if plain and first and verb and has_form(first.group(0), "gerund", locale):
        plain = not shape_action(text, copy, locale)  # "Posting weekly is mandatory" is a shape
    if plain and first and verb:
        return _action(verb, text[first.end() :], copy), negative
    for stage in reversed(stages):
        shaped = shape_action(stage.rstrip(".!;:, "), copy, locale)
        if shaped:
            return swap_pronouns(shaped, copy), negative
    if verb and first:
        return _action(verb, text[first.end() :], copy), negative
    return None


def _action(verb: str, rest: str, copy: dict[str, Any]) -> str:
    """The verb and what follows it, agents dropped and pronouns moved to the leader."""
    rest = compile_pattern(copy["agents"]).sub("", rest)
    for rule in copy.get("pronoun_rules", []):
        rest = compile_pattern(rule["pattern"]).sub(rule["replace"], rest)
    return swap_pronouns(verb + rest, copy)


def _verb_reading(word: str, rest: str, clause: str, copy: dict[str, Any], locale: str) -> tuple[str | None, bool]:
    """The base verb when the word opening the peeled clause is used as a verb there.

    A base or -ing form is a verb; a past or present form ("updates", "joined") only right after
    the team as subject ("if everyone joined"); a word the dictionary lacks ("blog") only after
    "to" or a modal in the draft. The flag says whether the draft's grammar licensed the reading.
    """
    low = word.lower()
    if low in _NOT_VERBS:
        return None, False
    before = bool(compile_pattern(copy["verb_context"]).search(
        clause[: clause.lower().find(low)] if low in clause.lower() else ""))
    if has_form(low, "base", locale) or has_form(low, "gerund", locale):
        return base_verb(low, locale), before
    if before and verb_lemma(low, locale):
        return verb_lemma(low, locale), True
    if before and not is_noun(low) and compile_pattern(copy["tails"]).sub("", rest).strip():
        return low, True
    return None, False


def finish(text: str, copy: dict[str, Any]) -> str:
    """Capitalise and end a produced sentence."""
    text = re.sub(r"\s{2,}", " ", text.strip())
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + str(copy.get("end", "."))


@dataclass
class _State:
    """What the rewrite has said so far, so a second action reads "I'd also like to"."""
    tried: bool = False


def _strip_spans(part: Segment, spans: list[tuple[int, int]]) -> str:
    """The clause with pressure spans cut out, and the punctuation around them tidied."""
    text = part.text
    for s, e in sorted(spans, reverse=True):
        a, b = max(s - part.start, 0), min(e - part.start, len(text))
        head = re.sub(r"(?:,\s*|\s+)?(?:it's|it\s+is|this\s+is|that's|and|so)\s*\Z", "", text[:a], flags=re.I)
        text = head + text[b:]
    return re.sub(r"\s*,\s*(?=[,.!]|\Z)|\A\s*[,:;-]\s*", "", text).strip(" ,;:-")


def _template(kinds: set[str], negative: bool, state: _State, joined: bool, action: str) -> str:
    """Which first-person frame the action goes into (a key of reframe.yaml)."""
    if joined:
        return "and_not" if negative else "and_more"
    if "decision" in kinds and not negative:
        return "decided"
    if not negative and not state.tried and action.lower().startswith("try "):
        return "try_again"
    return "try_not" if negative else ("try_more" if state.tried else "try_first")


def _rewrite_clause(text: str, kinds: set[str], state: _State, joined: bool, locale: str) -> str | None:
    """One directive clause as a first-person action, keeping a leading time anchor or reason."""
    copy = copy_for(locale)
    lead = ""
    anchor = compile_pattern(copy["anchor"]).match(text)
    if anchor and not joined:
        lead, text = str(copy["anchor_join"]).format(anchor=anchor.group("anchor")), text[anchor.end() :]
    reason = compile_pattern(copy["reason"]).match(text) if kinds & {"authority", "process"} else None
    if reason and not joined and not lead:
        lead, text = str(copy["reason_join"]).format(reason=reason.group("reason").rstrip(", ")), text[reason.end() :]
    found = extract_action(text, locale, frozenset(kinds))
    if found is None:
        return None
    action, negative = found
    action = compile_pattern(copy["fillers"]).sub("", action).rstrip("?!. ")
    key = _template(kinds, negative, state, joined, action)
    inverted = (copy.get("lead_frames") or {}).get(key) if lead else None  # German: "Ab sofort versuche ich"
    frame = str(inverted or copy[key]).format(action=action)
    state.tried = True
    return lead + frame


def rewrite_sentence(sentence: Segment, found: list[Finding], state: _State, locale: str) -> str | None:
    """A directive sentence in the leader's voice; "" when it is left out, None when no clean rewrite."""
    copy = copy_for(locale)
    parts: list[str] = []
    pressure_spans = [(f.start, f.end) for f in found if f.kind == "pressure"]
    found = [f for f in found if f.kind == "pressure" or not any(s < f.end and f.start < e for s, e in pressure_spans)]
    carried: set[str] = set()
    for part in clauses(sentence):
        inside = [f for f in found if part.start <= f.start < part.end]
        kinds, carried = {f.kind for f in inside} | carried, set()
        if kinds and kinds <= DROPPED_KINDS:
            continue  # pure pressure, a threat or blame: left out, its finding says why
        if kinds and compile_pattern(str(copy.get("head_only", "(?!)"))).fullmatch(part.text):
            carried = kinds  # "Friendly reminder:" opens the request in the next clause
            continue
        if not kinds:
            opener = compile_pattern(str(copy.get("head_only", "(?!)"))).fullmatch(part.text)
            if not opener and not compile_pattern(copy["vocative_only"]).fullmatch(part.text):
                parts.append(finish(part.text, copy))
            continue
        pressure = [(f.start, f.end) for f in inside if f.kind == "pressure"]
        text = _strip_spans(part, pressure) if pressure else part.text
        joined = bool(parts) and not parts[-1].endswith((".", "!", "?"))
        rewritten = _rewrite_clause(text, kinds, state, joined, locale)
        if rewritten is None:
            return None
        parts.append(rewritten)
    out: list[str] = []
    for piece in parts:
        if out and piece.startswith(("and ", "and not ")):
            out[-1] = out[-1].rstrip(".") + ", " + piece
        else:
            out.append(piece)
    return " ".join(finish(p, copy) for p in out)


def rewrite_text(text: str, locale: str = "en") -> str | None:
    """Every directive sentence rewritten, the rest kept; None when some sentence has no clean rewrite."""
    state = _State()
    found = directive_findings(text, locale)
    out: list[str] = []
    for sentence in sentences(text):
        inside = [f for f in found if sentence.start <= f.start < sentence.end]
        if not inside:
            out.append(sentence.text)
            continue
        rewritten = rewrite_sentence(sentence, inside, state, locale)
        if rewritten is None:
            return None
        if rewritten:
            out.append(rewritten)
    if found and not state.tried:
        return None  # only leftovers after the pressure went: no rewrite in the leader's voice
    return " ".join(out).strip()
