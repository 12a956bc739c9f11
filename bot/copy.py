"""Every sentence a person reads comes from prompts/copy/, never from Python.

The engine's words are in `<locale>.yaml`; each edge keeps its own in a book,
`<book>.<locale>.yaml`, whose top-level key is the book's name."""
from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from typing import Any

import yaml


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
        """A sentence about a number: `key.one` for 1, `key.other` otherwise (English plurals)."""
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


@lru_cache(maxsize=16)
def load_copy(locale: str = "en", book: str | None = None) -> Copy:
    """The engine's copy, or an edge's `book`; an unknown locale falls back to English."""
    folder = files("prompts") / "copy"

    def name(loc: str) -> str:
        return f"{book}.{loc}.yaml" if book else f"{loc}.yaml"

    if not (folder / name(locale)).is_file():
        locale = "en"
    tree = yaml.safe_load((folder / name(locale)).read_text(encoding="utf-8"))
    return Copy(tree[book] if book else tree, locale, name(locale))
