"""Actions for languages that put the verb last (German): the leader's action as a zu-infinitive.

After the directive head is peeled off, what is left still speaks about the team: "jeder eine
Erkenntnis pro Woche teilt" (a subordinate clause, finite verb last), "Besprechungsnotizen werden
im Kanal geteilt" (a passive), "am Montag ihre Prioritäten posten würden" (an auxiliary after the
infinitive). Each becomes "eine Erkenntnis pro Woche zu teilen", "Besprechungsnotizen im Kanal zu
teilen", "am Montag meine Prioritäten zu posten". Verb forms come from small rules and the
irregular tables in prompts/coach/<locale>/reframe.yaml; a clause they cannot read gives None, so
the coach says "no clean rewrite" instead of guessing.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from bot.coach.lexicon import compile_pattern, load

_VERB = re.compile(r"[a-zäöüß]+")  # German verbs are lower case; a capitalised word is a noun


def _words(copy: dict[str, Any], key: str) -> set[str]:
    return {str(w).lower() for w in copy.get(key, [])}


def _separable(copy: dict[str, Any]) -> list[str]:
    return sorted(_words(copy, "separable"), key=len, reverse=True)


def zu_infinitive(infinitive: str, copy: dict[str, Any]) -> str:
    """The zu-infinitive: "posten" -> "zu posten", "eintragen" -> "einzutragen"."""
    low = infinitive.lower()
    if low not in _words(copy, "not_separable"):
        for prefix in _separable(copy):
            if low.startswith(prefix) and len(low) > len(prefix) + 3:
                return infinitive[: len(prefix)] + "zu" + infinitive[len(prefix) :]
    return "zu " + infinitive


def _is_zu_form(word: str, copy: dict[str, Any]) -> bool:
    """True for a word that already is a zu-infinitive of a separable verb ("abzugeben")."""
    low = word.lower()
    return any(low.startswith(p + "zu") and low.endswith("en") and len(low) > len(p) + 5 for p in _separable(copy))


def _irregular(word: str, table: dict[str, str]) -> str | None:
    """The infinitive from an irregular table, also behind a prefix ("teilnimmt" -> "teilnehmen")."""
    for form in sorted(table, key=len, reverse=True):
        if word.endswith(form) and (word == form or len(word) - len(form) >= 2):
            return word[: len(word) - len(form)] + table[form]
    return None


def _from_stem(stem: str) -> str:
    """An infinitive from a weak verb's stem: "teil" -> "teilen", "poste" -> "posten", "änder" -> "ändern"."""
    if stem.endswith("e") or (stem.endswith(("er", "el")) and not stem.endswith("ier")):
        return stem + "n"
    return stem + "en"


def finite_to_infinitive(word: str, copy: dict[str, Any]) -> str | None:
    """The infinitive of a present-tense form (3rd person or 2nd plural), or None."""
    low = word.lower()
    if not _VERB.fullmatch(word):
        return None
    table = {str(k): str(v) for k, v in (copy.get("irregular_finite") or {}).items()}
    irregular = _irregular(low, table)
    if irregular:
        return irregular
    if re.search(r"(?:en|ern|eln)\Z", low):
        return low
    if low.endswith("t") and len(low) > 3:
        return _from_stem(low[:-1])
    return None


def participle_to_infinitive(word: str, copy: dict[str, Any]) -> str | None:
    """The infinitive of a past participle ("geteilt" -> "teilen", "eingetragen" -> "eintragen",
    "dokumentiert" -> "dokumentieren"), or None when the word does not look like one."""
    low = word.lower()
    if not _VERB.fullmatch(word):
        return None
    table = {str(k): str(v) for k, v in (copy.get("irregular_participles") or {}).items()}
    irregular = _irregular(low, table)
    if irregular:
        return irregular
    prefix = next((p for p in _separable(copy) if low.startswith(p + "ge") and len(low) > len(p) + 4), "")
    body = low[len(prefix):]
    if body.startswith("ge") and len(body) > 4:
        body = body[2:]
    elif not prefix and not body.endswith("iert") and not body.startswith(tuple(_words(copy, "inseparable"))):
        return None
    if body.endswith("en"):
        return prefix + body
    if body.endswith("et") and len(body) > 4:
        return prefix + _from_stem(body[:-2])
    if body.endswith("t"):
        return prefix + _from_stem(body[:-1])
    return None


def _object(tokens: list[str], copy: dict[str, Any]) -> list[str]:
    """A passive's subject as the leader's object: "alle Einzelgespräche" -> "meine Einzelgespräche"."""
    swaps = {str(k).lower(): str(v) for k, v in (copy.get("object_determiners") or {}).items()}
    if tokens and tokens[0].lower() in swaps:
        return [swaps[tokens[0].lower()], *tokens[1:]]
    return tokens


def _imperative(tokens: list[str], copy: dict[str, Any], locale: str) -> str | None:
    """An imperative's infinitive phrase: "Tragt eure Urlaube im Kalender ein" -> "... einzutragen"."""
    imperatives = {str(v).lower() for v in load("directives", locale)["imperative"]["verbs"]}
    first = tokens[0].lower()
    if first not in imperatives or len(tokens) < 2:
        return None
    stem = first[:-2] if first.endswith("et") else first[:-1] if first.endswith("t") else first
    infinitive = first if first.endswith("en") else stem + "en"
    rest = tokens[1:]
    prefix = rest.pop().lower() if rest and rest[-1].lower() in _words(copy, "separable") else ""
    if not rest:
        return None
    return " ".join([*rest, prefix + "zu" + infinitive if prefix else "zu " + infinitive])


def _verb_group(words: list[str], copy: dict[str, Any], subordinate: bool) -> tuple[list[str], str, bool] | None:
    """The words before the verb, the zu-infinitive, and whether the clause was a passive."""
    tokens = list(words)
    aux, passive_aux = _words(copy, "trailing_aux"), _words(copy, "passive_aux")
    dropped: list[str] = []
    while len(tokens) > 1 and tokens[-1].lower() in aux:
        dropped.append(tokens.pop().lower())
    inner = [i for i, t in enumerate(tokens[:-1]) if t.lower() in passive_aux]
    passive = bool(passive_aux & set(dropped)) or bool(inner)
    if passive and not dropped and inner:
        tokens = tokens[: inner[0]] + tokens[inner[0] + 1 :]  # main clause: "Notizen werden ... geteilt"
    last = tokens[-1]
    if len(tokens) >= 2 and tokens[-2].lower() == "zu" and _VERB.fullmatch(last):
        return tokens[:-2], "zu " + last, False
    if _is_zu_form(last, copy):
        return tokens[:-1], last, False
    verb = participle_to_infinitive(last, copy) if passive else None
    if passive and verb is None:
        return None
    if verb is None and dropped and _VERB.fullmatch(last):
        verb = last.lower()
    if verb is None:
        verb = finite_to_infinitive(last, copy) if subordinate else None
        verb = verb or (last if re.fullmatch(str(copy.get("infinitive", "(?!)")), last) else None)
    if verb is None:
        return None
    before = _object(tokens[:-1], copy) if passive else tokens[:-1]
    return before, zu_infinitive(verb, copy), passive


def verb_final_action(text: str, copy: dict[str, Any], locale: str, subordinate: bool,
                      swap: Callable[[str], str]) -> str | None:
    """The leader's action as a zu-infinitive phrase, or None when the clause cannot be read.

    subordinate: the head ended in "dass"/"wenn", so a person subject must be found and dropped
    ("dass die Planung im Kanal stattfindet" has none: no clean rewrite). swap moves pronouns.
    """
    text = text.strip().rstrip(".!?;:, ")
    tail = compile_pattern(str(copy.get("contrast", "(?!)"))).search(text)
    suffix = ""
    if tail:
        text, suffix = text[: tail.start()], tail.group(0)
    for shape in copy.get("final_shapes", []):
        m = compile_pattern(str(shape["pattern"])).fullmatch(text)
        if m:
            action = str(shape["action"]).format(**{k: v or "" for k, v in m.groupdict().items()})
            first = action.split(" ", 1)[0]
            if first.lower() in _words(copy, "determiners"):
                action = first.lower() + action[len(first):]  # it opened the sentence; now it follows the frame
            return swap(action + suffix)
    subject = compile_pattern(str(copy["subjects"]))
    inverted = re.match(r"([a-zäöüß]+)\s+", text)
    auxiliary = inverted is not None and inverted.group(1) in _words(copy, "trailing_aux")
    after = subject.match(text[inverted.end():]) if inverted and not subordinate and not auxiliary else None
    if inverted and after:
        verb = finite_to_infinitive(inverted.group(1), copy)  # "aktualisiert jeder den Tracker"
        rest = text[inverted.end() + after.end():].split()
        if verb is None or not rest:
            return None
        text, subordinate = " ".join([*rest, verb]), False
    person = subject.match(text) if subordinate else None
    if person and person.end() < len(text):
        text = text[person.end():]
    tokens = text.split()
    if not tokens or "," in text:
        return None
    ordered = _imperative(tokens, copy, locale) if not subordinate else None
    if ordered is not None:
        return swap(ordered) + suffix
    group = _verb_group(tokens, copy, subordinate)
    if group is None:
        return None
    before, verb, passive = group
    if passive and compile_pattern(str(copy.get("passive_agent", "(?!)"))).search(" ".join(before)):
        return None  # "vom Teamleiter geprüft": someone else does it, nothing for the leader to take on
    if before and before[0].lower() in _words(copy, "determiners"):
        before = [before[0].lower(), *before[1:]]  # it opened the sentence; now it follows the frame
    if subordinate and not person and not passive:
        return None  # "dass die Planung im Kanal stattfindet": nobody to take the action over from
    if compile_pattern(str(copy["left_in_action"])).search(" ".join(before)):
        return None  # a subject, a finite verb or a second clause is left: the head was not peeled
    return " ".join([swap(" ".join(before)), verb]).strip() + suffix
