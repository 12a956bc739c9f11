"""Teams-only sentences from prompts/copy/teams.en.yaml (the engine's own words stay in en.yaml)."""
from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from typing import Any

import yaml

from bot.copy import Copy


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        flat.update(_flatten(value, f"{prefix}{key}.") if isinstance(value, dict)
                    else {f"{prefix}{key}": str(value).rstrip("\n")})
    return flat


@lru_cache(maxsize=1)
def load_teams_copy() -> Copy:
    source = files("prompts") / "copy" / "teams.en.yaml"
    return Copy(_flatten(yaml.safe_load(source.read_text(encoding="utf-8"))), "teams.en")
