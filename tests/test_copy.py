"""Every copy key the code asks for exists, in the engine's copy and in each edge's book."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.copy import load_copy

ROOT = Path(__file__).resolve().parent.parent
BOOKS = [p.name.split(".")[0] for p in (ROOT / "prompts" / "copy").glob("*.en.yaml")]
LITERAL_KEY = re.compile(r"""copy\(\s*["']([a-z_]+(?:\.[a-z_]+)+)["']""")


def known_keys() -> set[str]:
    """The engine's keys, plus every book's keys under the book's name."""
    keys = load_copy("en").keys()
    for path in (ROOT / "prompts" / "copy").glob("*.en.yaml"):
        book = path.name.split(".")[0]
        keys |= {f"{book}.{key}" for key in load_copy("en", book).keys()}
    return keys


def test_every_literal_copy_key_used_by_the_code_exists() -> None:
    used = {key for folder in ("bot", "adapters") for path in (ROOT / folder).rglob("*.py")
            for key in LITERAL_KEY.findall(path.read_text())}
    assert used, "the scan found no copy keys: the pattern is out of date"
    known = known_keys()
    missing = [key for key in used if key not in known and not any(f"{b}.{key}" in known for b in BOOKS)]
    assert sorted(missing) == []


def test_an_unknown_locale_falls_back_to_english() -> None:
    assert load_copy("xx")("help.title") == load_copy("en")("help.title")


def test_a_missing_key_names_the_file() -> None:
    with pytest.raises(KeyError, match="prompts/copy/en.yaml"):
        load_copy("en")("no.such.key")


def test_books_are_read_from_their_own_file() -> None:
    book = load_copy("en", "playground")
    assert book.source == "playground.en.yaml" and book.keys()


def test_counts_read_naturally() -> None:
    copy = load_copy("en")
    assert copy.count("streak.summary", 1, longest=1).startswith("1 week in a row")
    assert copy.count("streak.summary", 3, longest=4).startswith("3 weeks in a row (longest: 4)")
    assert copy.count("streak.summary", 0, longest=2).startswith("0 weeks")
