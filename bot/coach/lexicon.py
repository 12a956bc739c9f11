"""Locale data for the coach: lexicons, rules and phrasing live in prompts/coach/<locale>/*.yaml.

Keeping every pattern and every user-facing word in data means a new language is a new folder,
not new code. An unknown locale falls back to English, file by file.
"""
from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

DEFAULT_LOCALE = "en"
# VERBOSE: long patterns are folded over several lines in YAML, so spaces in them are ignored
# (patterns always spell a space as \s).
FLAGS = re.IGNORECASE | re.VERBOSE
# libyaml's safe loader when it is installed: the coach's data loads several times faster.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _locale_dir(locale: str) -> Any:
    """The Traversable folder holding a locale's coach data."""
    return resources.files("prompts") / "coach" / locale


@lru_cache(maxsize=64)
def load(name: str, locale: str = DEFAULT_LOCALE) -> dict[str, Any]:
    """Load prompts/coach/<locale>/<name>.yaml, falling back to the base language, then English."""
    base = re.split(r"[-_]", locale or DEFAULT_LOCALE)[0]
    for candidate in (locale, base, DEFAULT_LOCALE):
        if not candidate or not re.fullmatch(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?", candidate):
            continue  # never let a locale string walk the file system
        path = _locale_dir(candidate) / f"{name}.yaml"
        if path.is_file():
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
            if not isinstance(data, dict):
                raise ValueError(f"{path}: expected a mapping at the top level")
            return data
    raise FileNotFoundError(f"prompts/coach/{DEFAULT_LOCALE}/{name}.yaml is missing")


@lru_cache(maxsize=1024)
def compile_pattern(pattern: str) -> re.Pattern[str]:
    """Compile a data pattern once; patterns are reused for every sentence."""
    return re.compile(pattern.strip(), FLAGS)
