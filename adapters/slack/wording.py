"""Slack-only sentences from prompts/copy/slack.<locale>.yaml; the engine's words stay in en.yaml."""
from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from typing import Any

import yaml


class Wording:
    def __init__(self, tree: dict[str, Any], locale: str) -> None:
        self.tree = tree
        self.locale = locale

    def __call__(self, key: str, **values: Any) -> str:
        node: Any = self.tree
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                raise KeyError(f"copy key {key!r} missing from prompts/copy/slack.{self.locale}.yaml")
            node = node[part]
        text = str(node).rstrip("\n")
        return text.format(**values) if values else text


@lru_cache(maxsize=4)
def load_wording(locale: str = "en") -> Wording:
    folder = files("prompts") / "copy"
    source = folder / f"slack.{locale}.yaml"
    if not source.is_file():
        locale, source = "en", folder / "slack.en.yaml"
    return Wording(yaml.safe_load(source.read_text(encoding="utf-8"))["slack"], locale)
