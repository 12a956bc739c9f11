"""The playground page's own words, from prompts/copy/playground.<locale>.yaml (never from code)."""
from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from typing import Any

import yaml


class Wording:
    """The `playground:` tree: looked up by dotted key in Python, handed whole to the page's script."""

    def __init__(self, tree: dict[str, Any], locale: str) -> None:
        self.tree = tree
        self.locale = locale

    def __call__(self, key: str, **values: Any) -> str:
        node: Any = self.tree
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                raise KeyError(f"copy key {key!r} missing from prompts/copy/playground.{self.locale}.yaml")
            node = node[part]
        text = str(node).rstrip("\n")
        return text.format(**values) if values else text


@lru_cache(maxsize=4)
def load_wording(locale: str = "en") -> Wording:
    folder = files("prompts") / "copy"
    source = folder / f"playground.{locale}.yaml"
    if not source.is_file():
        locale, source = "en", folder / "playground.en.yaml"
    tree = yaml.safe_load(source.read_text(encoding="utf-8"))["playground"]
    return Wording(tree, locale)
