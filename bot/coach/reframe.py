"""Turn a directive draft into a modelling one, built from the leader's own words.

"Everyone must post updates in the channel from Monday" becomes "I'm trying to post my updates in
the channel from Monday": the directive head is removed, the action is kept, and the pronouns move
from "you" to "I". Phrasing comes from prompts/coach/<locale>/reframe.yaml.
"""
from __future__ import annotations

import re
from typing import Any

from bot.coach.directives import directive_findings, missing_elements
from bot.coach.lexicon import compile_pattern, load
from bot.coach.text import Segment, clauses, sentences
from bot.coach.themes import OTHER, classify_themes, theme_label

FIELDS: tuple[str, ...] = ("try", "why", "barrier", "ask")
_WORD = re.compile(r"[A-Za-z][\w'’-]*")


def _copy(locale: str) -> dict[str, Any]:
    """Reframe phrasing and head patterns for a locale."""
    return load("reframe", locale)


def _verbs(locale: str) -> set[str]:
    """Words that may open an action: the imperative verbs plus reframe's extra action verbs."""
    imp = load("directives", locale)["imperative"]["verbs"]
    return {str(v).lower() for v in [*imp, *_copy(locale).get("action_verbs", [])]}


def _swap_pronouns(action: str, copy: dict[str, Any]) -> str:
    """Move the action from the team to the leader: your -> my, and "post updates" -> "post my updates"."""
    swaps = {str(k).lower(): str(v) for k, v in copy.get("pronouns", {}).items()}
    action = _WORD.sub(lambda m: swaps.get(m.group(0).lower(), m.group(0)), action)
    nouns = {str(n).lower() for n in copy.get("possessable", [])}
    words = action.split(" ")
    if len(words) >= 2 and words[1].lower().strip(".,") in nouns:
        words.insert(1, "my")
    return " ".join(words)


def lemma(word: str, locale: str = "en") -> str | None:
    """The base verb for an -ed, -en or -ing form (or the verb itself), if it is a known verb."""
    word = word.lower()
    verbs = _verbs(locale)
    irregular = {str(k): str(v) for k, v in _copy(locale).get("irregular", {}).items()}
    if word in irregular:
        return irregular[word]
    candidates = [word]
    if word.endswith("ies"):
        candidates.append(word[:-3] + "y")
    for suffix in ("ed", "ing", "d", "s"):
        if word.endswith(suffix):
            stem = word[: -len(suffix)]
            candidates += [stem, stem + "e", stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else stem]
    if word.endswith("ied"):
        candidates.append(word[:-3] + "y")
    return next((c for c in candidates if c in verbs), None)


def _shape_action(text: str, copy: dict[str, Any], locale: str) -> str | None:
    """An action from a sentence shape without "you" (passives, "I want X posted")."""
    kept = {str(d) for d in copy.get("kept_determiners", [])}
    for shape in copy.get("shapes", []):
        m = compile_pattern(shape["pattern"]).match(text)
        verb = lemma(m.group("pp"), locale) if m and "pp" in m.groupdict() else None
        if m is None or ("pp" in m.groupdict() and verb is None):
            continue
        groups = {k: (v or "") for k, v in m.groupdict().items()}
        det = groups.get("det", "").lower()
        return shape["action"].format(
            verb=verb or "", det=det if det in kept else "my", obj=groups.get("obj", ""),
            rest=groups.get("rest", "").rstrip(".!;:, "),
        )
    return None


def extract_action(clause: str, locale: str = "en") -> tuple[str, bool] | None:
    """The leader's own action in a directive clause, and whether it was a "don't".

    Directive heads are peeled off one by one; if what remains does not open with a verb, the
    sentence shapes (passives, "I want X posted") are tried on each peeled stage. Returns None
    when no action phrase can be found (e.g. "Attendance at the demo").
    """
    copy = _copy(locale)
    text = compile_pattern(copy["tails"]).sub("", clause).strip()
    stages = [text]
    for head in copy.get("heads", []):
        pattern, replace = (head["pattern"], head["replace"]) if isinstance(head, dict) else (head, "")
        text = compile_pattern(str(pattern)).sub(str(replace), text, count=1).lstrip()
        stages.append(text)
    text = text.strip().rstrip(".!;:, ")
    negative = False
    neg = compile_pattern(r"\A(?:don't|do\s+not|never|not)\s+").match(text)
    if neg:
        negative, text = True, text[neg.end() :]
    first = _WORD.match(text)
    verb = lemma(first.group(0), locale) if first else None
    if verb is not None and not compile_pattern(r"\Abe\s+\w+(?:ed|en)\b").match(text):
        return _swap_pronouns(verb + text[first.end() :], copy), negative  # type: ignore[union-attr]
    for stage in stages:
        shaped = _shape_action(stage.rstrip(".!;:, "), copy, locale)
        if shaped:
            return _swap_pronouns(shaped, copy), False
    return None


def _sentence(text: str, copy: dict[str, Any]) -> str:
    """Capitalise and end a produced sentence."""
    text = text.strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?…" else text + str(copy.get("end", "."))


def _rewrite_clause(clause: Segment, tried: bool, locale: str, joined: bool = False) -> tuple[str, bool]:
    """Rewrite one directive clause; returns the text and whether an "I'm trying" was used.

    joined: the clause follows a rewritten one in the same sentence, so it continues it ("and to ...").
    """
    copy = _copy(locale)
    found = extract_action(clause.text, locale)
    if found is None and not compile_pattern(copy["tails"]).sub("", clause.text).strip():
        return "", tried
    if found is None:
        plain = compile_pattern(copy["tails"]).sub("", clause.text).strip().rstrip(".!")
        for head in [h for h in copy.get("heads", []) if isinstance(h, str)][:3]:
            plain = compile_pattern(str(head)).sub("", plain, count=1).lstrip()
        if not compile_pattern(r"\AI\b").match(plain):
            plain = plain[:1].lower() + plain[1:]
        return copy["try_fallback"].format(clause=plain), tried
    action, negative = found
    if joined:
        key = "and_not" if negative else "and_more"
    else:
        key = "try_not" if negative else ("try_more" if tried else "try_first")
    return copy[key].format(action=action), True


def rewrite_sentences(text: str, locale: str = "en") -> tuple[list[str], bool]:
    """Rewrite every directive sentence of a draft; keep the rest. Returns (sentences, was_directive)."""
    copy = _copy(locale)
    out: list[str] = []
    tried = directive = False
    for sentence in sentences(text):
        if not directive_findings(sentence.text, locale):
            out.append(sentence.text)
            continue
        directive = True
        parts: list[str] = []
        for clause in clauses(sentence):
            if directive_findings(clause.text, locale):
                part, tried = _rewrite_clause(clause, tried, locale, joined=bool(parts))
            else:
                found = extract_action(clause.text, locale)
                part = (
                    copy["and_more"].format(action=found[0]) if found and parts else clause.text.rstrip(".!")
                )
            if part:
                parts.append(part)
        if parts:
            out.append(_sentence(", ".join(parts), copy))
    return out, directive


def reframe_text(text: str, locale: str = "en") -> str:
    """A modelling version of a whole draft: own effort first, then a barrier and a question if missing."""
    copy = _copy(locale)
    parts, _ = rewrite_sentences(text, locale)
    missing = {f.kind for f in missing_elements(" ".join(parts), locale)} if parts else set()
    if "missing_barrier" in missing:
        parts.append(copy["barrier_empty"])
    if "missing_question" in missing:
        parts.append(copy["ask"])
    return " ".join(p for p in parts if p)


def _lower_label(label: str) -> str:
    """Lower-case a label for mid-sentence use, leaving acronyms such as "IT" alone."""
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


def _reframe_barrier(text: str, locale: str) -> str:
    """The leader's own barrier as a first-person sentence."""
    copy = _copy(locale)
    text = text.strip()
    if not text:
        return copy["barrier_empty"]
    if directive_findings(text, locale):
        themes = [t for t in classify_themes(text, locale) if t != OTHER]
        if not themes:
            return copy["barrier_empty"]
        labels = [_lower_label(theme_label(t, locale)) for t in themes]
        return copy["barrier_from_themes"].format(themes=copy["theme_joiner"].join(labels))
    if len(text.split()) <= int(copy.get("bare_barrier_max_words", 4)) and not compile_pattern(
        r"\b(?:I|I'm|my|me)\b"
    ).search(text):
        return copy["barrier_bare"].format(barrier=text.rstrip(".!"))
    return text


def _reframe_why(text: str, locale: str) -> str:
    """The "why" in the leader's voice when it was written as an order."""
    copy = _copy(locale)
    if not text.strip() or not directive_findings(text, locale):
        return text.strip()
    bare = compile_pattern(copy["connectives"]).sub("", text.strip())
    found = extract_action(bare, locale)
    if found is None:
        return " ".join(rewrite_sentences(bare, locale)[0])
    return _sentence(copy["why_rewrite"].format(action=found[0]), copy)


def _reframe_ask(text: str, locale: str) -> str:
    """An ask for help with the leader's effort, ending in a question about theirs."""
    copy = _copy(locale)
    text = text.strip()
    if not text or directive_findings(text, locale):
        return copy["ask"]
    if "?" not in text:
        return f"{_sentence(text, copy)} {copy['ask_question']}"
    return text


def reframe(fields: dict[str, str], locale: str = "en") -> dict[str, str]:
    """Rewrite the share form's four fields (try, why, barrier, ask) as modelling."""
    get = lambda key: str(fields.get(key) or "")  # noqa: E731
    try_text = get("try")
    rewritten, _ = rewrite_sentences(try_text, locale)
    return {
        "try": " ".join(rewritten).strip(),
        "why": _reframe_why(get("why"), locale),
        "barrier": _reframe_barrier(get("barrier"), locale),
        "ask": _reframe_ask(get("ask"), locale),
    }
