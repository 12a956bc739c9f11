"""Every sentence a person reads comes from prompts/copy/, never from Python.

The engine's words are in `<locale>.yaml`; each edge keeps its own in a book,
`<book>.<locale>.yaml`, whose top-level key is the book's name. English is complete; another
locale may leave keys out, and each missing key falls back to its English sentence on its own, so
a half-translated book still speaks the person's language wherever it can."""
from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from typing import Any

import yaml

DEFAULT_LOCALE = "en"


class Copy:
    def __init__(self, tree: dict[str, Any], locale: str, source: str = "") -> None:
        self.tree = tree
        self.locale = locale
        self.source = source or f"{locale}.yaml"
        self._entries = _flatten(tree)

    def __call__(self, key: str, **values: Any) -> str:
        try:
            template = self._entries[key]
        except KeyError:
            raise KeyError(f"copy key {key!r} missing from prompts/copy/{self.source}") from None
        return template.format(**values) if values else template

    def count(self, key: str, current: int, **values: Any) -> str:
        """A sentence about a number: `key.one` for 1, `key.other` otherwise (English and German alike)."""
        return self(f"{key}.{'one' if current == 1 else 'other'}", current=current, **values)

    def keys(self) -> set[str]:
        return set(self._entries)


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = str(value).rstrip("\n")
    return flat


def _merged(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """`base` with every key `over` has replaced, level by level (a missing key keeps base's)."""
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merged[key] = _merged(base[key], value)
        elif key in base:  # a key English doesn't know is a typo, not a new sentence
            merged[key] = value
    return merged


def _file(locale: str, book: str | None) -> str:
    return f"{book}.{locale}.yaml" if book else f"{locale}.yaml"


def _read(name: str, book: str | None) -> dict[str, Any]:
    tree = yaml.safe_load((files("prompts") / "copy" / name).read_text(encoding="utf-8")) or {}
    section = tree.get(book, {}) if book else tree
    return section if isinstance(section, dict) else {}


def normalize_locale(code: str | None) -> str:
    """`de-DE`, `de_AT` or `DE` → `de`; anything GoFirst has no copy for → English."""
    language = (code or "").strip().replace("_", "-").split("-")[0].lower()
    return language if language in available_locales() else DEFAULT_LOCALE


@lru_cache(maxsize=1)
def available_locales() -> tuple[str, ...]:
    """The locales with engine copy (`<locale>.yaml`), English first."""
    found = {p.name.split(".")[0] for p in (files("prompts") / "copy").iterdir()
             if p.name.endswith(".yaml") and p.name.count(".") == 1}
    return (DEFAULT_LOCALE, *sorted(found - {DEFAULT_LOCALE}))


@lru_cache(maxsize=32)
def load_copy(locale: str = DEFAULT_LOCALE, book: str | None = None) -> Copy:
    """The engine's copy, or an edge's `book`, in `locale`, with English for every key it lacks."""
    english = _read(_file(DEFAULT_LOCALE, book), book)
    locale = normalize_locale(locale)
    if locale == DEFAULT_LOCALE or not (files("prompts") / "copy" / _file(locale, book)).is_file():
        return Copy(english, DEFAULT_LOCALE, _file(DEFAULT_LOCALE, book))
    return Copy(_merged(english, _read(_file(locale, book), book)), locale, _file(locale, book))
