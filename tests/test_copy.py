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


# --- German -------------------------------------------------------------------------------------
COPY = ROOT / "prompts" / "copy"
# English on purpose: the HR console and its insights (lowest priority) and the Teams app
# manifest (one per app package; Teams localizes it through separate files, not yet built).
ENGLISH_ON_PURPOSE = {"admin": {"*"}, "insights": {"*"}, "teams": {"manifest.*"}}


def own_keys(path: Path, book: str | None) -> dict[str, str]:
    """The keys a file itself holds (no fallback), flattened."""
    import yaml

    from bot.copy import _flatten

    tree = yaml.safe_load(path.read_text(encoding="utf-8"))
    return _flatten(tree[book] if book else tree)


def fields(template: str) -> set[str]:
    import string

    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def on_purpose(book: str, key: str) -> bool:
    return any(p == "*" or (p.endswith(".*") and key.startswith(p[:-1])) or p == key
               for p in ENGLISH_ON_PURPOSE.get(book, ()))


@pytest.mark.parametrize("book", ["", *sorted(BOOKS)])
def test_every_english_key_has_a_german_one_with_the_same_placeholders(book: str) -> None:
    name = f"{book}." if book else ""
    english = own_keys(COPY / f"{name}en.yaml", book or None)
    german_file = COPY / f"{name}de.yaml"
    german = own_keys(german_file, book or None) if german_file.is_file() else {}
    missing = sorted(k for k in english if k not in german and not on_purpose(book, k))
    assert missing == [], f"{german_file.name} lacks these keys (translate them or list them in ENGLISH_ON_PURPOSE)"
    unknown = sorted(k for k in german if k not in english)
    assert unknown == [], f"{german_file.name} has keys English doesn't: a typo, or an English key gone"
    differing = {k: (sorted(fields(english[k])), sorted(fields(german[k]))) for k in german
                 if fields(english[k]) != fields(german[k])}
    assert differing == {}


def test_a_key_german_lacks_falls_back_to_the_english_sentence_not_the_whole_book() -> None:
    german = load_copy("de", "teams")
    assert german("form.submitted").startswith("Gesendet")  # translated
    assert german("manifest.name_full") == load_copy("en", "teams")("manifest.name_full")  # English on purpose
    assert load_copy("de", "admin").locale == "en"  # no German book at all: English throughout


def test_platform_locales_are_read_as_the_language() -> None:
    from bot.copy import normalize_locale

    assert [normalize_locale(c) for c in ("de-DE", "de_AT", "DE", "en-GB", "fr-FR", "", None)] == \
        ["de", "de", "de", "en", "en", "en", "en"]
    assert load_copy("de-DE")("nudge.title") == "Zeit, voranzugehen"


# --- no sentence in code ----------------------------------------------------------------------------
MODEL = {"Action", "Fact", "Message", "FormField", "Form", "Bar", "Chart", "HomeSection", "HomeView"}
SENTENCE = re.compile(r"[A-Za-zÄÖÜäöüß]{2,}(?:\s+[A-Za-zÄÖÜäöüß']{2,}){2,}")  # three words or more


def literal_sentences(tree: "ast.AST") -> list[tuple[int, str]]:
    """Text literals (plain or f-strings) handed to the neutral message model, which every edge
    renders for a person: those must come from prompts/copy/."""
    import ast

    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in MODEL:
            for value in [*node.args, *(k.value for k in node.keywords)]:
                parts = [value] if isinstance(value, ast.Constant) else list(getattr(value, "values", []))
                text = "".join(p.value for p in parts if isinstance(p, ast.Constant) and isinstance(p.value, str))
                if SENTENCE.search(text):
                    found.append((node.lineno, text))
    return found


def test_no_sentence_a_person_reads_is_written_in_python() -> None:
    import ast

    found = [f"{path.relative_to(ROOT)}:{line}: {text!r}" for folder in ("bot", "adapters")
             for path in sorted((ROOT / folder).rglob("*.py"))
             for line, text in literal_sentences(ast.parse(path.read_text(encoding="utf-8")))]
    assert found == []


def test_the_sentence_scan_catches_a_literal() -> None:
    import ast

    assert literal_sentences(ast.parse('Message(kind="info", text="You went first this week")')) == \
        [(1, "You went first this week")]
    assert literal_sentences(ast.parse('Action(ActionId.HOME_SHARE, f"Answer {name} now please", "1")')) == \
        [(1, "Answer  now please")]
    assert literal_sentences(ast.parse('Message(kind="info", text=copy("nudge.shared"))')) == []
