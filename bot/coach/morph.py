"""Word forms for the coach: is this word a participle, a present-tense verb, a base form?

English uses lemminflect's dictionaries (offline, loaded once on first use, about 0.4 s), so a
rule written for "posted" also knows "circulated" or "groomed" without a hand-kept verb list.
Other locales describe their verb forms in data (prompts/coach/<locale>/morph.yaml): a list of
stems and the endings that make each form, because lemminflect is English only.
"""
from __future__ import annotations

from typing import Any

from functools import lru_cache
from importlib import resources

import lemminflect

from bot.coach.lexicon import load

# Penn tags lemminflect uses for each form a rule may ask for.
_TAGS: dict[str, tuple[str, ...]] = {
    "participle": ("VBN", "VBD"),
    "present": ("VBZ", "VBP"),
    "base": ("VB",),
    "gerund": ("VBG",),
    "verb": ("VB", "VBZ", "VBP", "VBD", "VBN", "VBG"),
}


@lru_cache(maxsize=64)
def english(locale: str) -> bool:
    """True when a locale's word forms come from lemminflect: English, and any locale without
    its own morph.yaml (it falls back to the English rules as well)."""
    base = locale.replace("_", "-").split("-")[0].lower()
    if base == "en" or not base.isalpha():
        return True
    return not (resources.files("prompts") / "coach" / base / "morph.yaml").is_file()


@lru_cache(maxsize=20000)
def verb_lemma(word: str, locale: str = "en") -> str | None:
    """The dictionary verb behind a word form ("circulated" -> "circulate"), or None."""
    word = word.lower().strip("'’")
    if not english(locale):
        return _data_lemma(word, locale)
    lemmas = lemminflect.getAllLemmas(word).get("VERB")
    return lemmas[0] if lemmas else None


@lru_cache(maxsize=20000)
def has_form(word: str, form: str, locale: str = "en") -> bool:
    """True when word is the given form (participle, present, base, gerund, verb) of some verb."""
    low = word.lower().strip("'’")
    lemma = verb_lemma(low, locale)
    if lemma is None:
        return False
    if not english(locale):
        return _data_has_form(low, lemma, form, locale)
    forms = lemminflect.getAllInflections(lemma, upos="VERB")
    return any(low in forms.get(tag, ()) for tag in _TAGS[form]) or (form in ("base", "verb") and low == lemma)


def is_word(word: str) -> bool:
    """True when English dictionaries know the word at all (so it is not a name like "Confluence")."""
    return bool(lemminflect.getAllLemmas(word.lower()))


def is_noun(word: str) -> bool:
    """True when English dictionaries know the word as a noun too ("update", "post", "time")."""
    return "NOUN" in lemminflect.getAllLemmas(word.lower())


def inflect(lemma: str, tag: str) -> str:
    """A form of an English verb (tag is a Penn tag, e.g. VBG); the lemma itself if unknown."""
    forms = lemminflect.getInflection(lemma, tag=tag)
    return forms[0] if forms else lemma


def _morph(locale: str) -> dict[str, Any]:
    """A locale's verb stems and endings."""
    return load("morph", locale)


def _data_lemma(word: str, locale: str) -> str | None:
    """The stem a data-described word form comes from, longest ending first."""
    data = _morph(locale)
    stems = {str(s) for s in data.get("stems", [])}
    irregular = {str(k): str(v) for k, v in (data.get("irregular") or {}).items()}
    if word in irregular:
        return irregular[word]
    endings = sorted({str(e) for forms in (data.get("endings") or {}).values() for e in forms}, key=len,
                     reverse=True)
    for prefix in ("", "ge"):
        body = word[len(prefix):] if word.startswith(prefix) else None
        if body is None:
            continue
        for ending in [*endings, ""]:
            stem = body[: len(body) - len(ending)] if ending and body.endswith(ending) else (body if not ending else None)
            if stem and stem in stems:
                return stem
    return None


def _data_has_form(word: str, stem: str, form: str, locale: str) -> bool:
    """True when word is stem + one of the endings listed for that form."""
    data = _morph(locale)
    endings = (data.get("endings") or {}).get(form if form != "verb" else "any", None)
    if form == "verb":
        return True
    prefixes = ("ge", "") if form == "participle" else ("",)
    return any(word == p + stem + str(e) for p in prefixes for e in (endings or []))
