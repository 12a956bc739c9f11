"""Every sentence a person reads comes from prompts/copy/<locale>.yaml, never from Python."""
from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from typing import Any

import yaml


class Copy:
    def __init__(self, entries: dict[str, str], locale: str) -> None:
        self._entries = entries
        self.locale = locale

    def __call__(self, key: str, **values: Any) -> str:
        try:
            template = self._entries[key]
        except KeyError:
            raise KeyError(f"copy key {key!r} missing from prompts/copy/{self.locale}.yaml") from None
        return template.format(**values) if values else template

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


@lru_cache(maxsize=8)
def load_copy(locale: str = "en") -> Copy:
    folder = files("prompts") / "copy"
    source = folder / f"{locale}.yaml"
    if not source.is_file():
        locale, source = "en", folder / "en.yaml"
    return Copy(_flatten(yaml.safe_load(source.read_text(encoding="utf-8"))), locale)
