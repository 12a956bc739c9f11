"""Hypothesis strategies for hostile input: any JSON, realistic payloads with fields replaced by the
wrong type or removed, very deep nesting, and bytes that are not UTF-8."""
from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import strategies as st

scalars = (st.none() | st.booleans() | st.integers(min_value=-(2 ** 70), max_value=2 ** 70)
           | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12))
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path in a JSON value, parents before children."""
    found: list[tuple[Any, ...]] = []
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    for key, child in items:
        found.append((*prefix, key))
        found.extend(paths(child, (*prefix, key)))
    return found


@st.composite
def mutated(draw: st.DrawFn, base: Any, most: int = 3) -> Any:
    """`base` with up to `most` fields replaced by any JSON value (often the wrong type) or removed."""
    value = copy.deepcopy(base)
    for _ in range(draw(st.integers(0, most))):
        where = paths(value)
        if not where:
            break
        path = draw(st.sampled_from(where))
        parent = value
        for key in path[:-1]:
            parent = parent[key]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(json_values)
    return value


def deep_text(depth: int, opener: str = "[") -> str:
    closer = "]" if opener == "[" else "}"
    inner = '{"a":' if opener == "{" else "["
    if opener == "{":
        return inner * depth + "1" + closer * depth
    return opener * depth + closer * depth


@st.composite
def deep_json(draw: st.DrawFn, around: Any = None) -> str:
    """JSON nested hundreds to tens of thousands of levels, alone or inside a real payload."""
    depth = draw(st.sampled_from([65, 200, 1000, 5000, 50000]))
    nested = deep_text(depth, draw(st.sampled_from(["[", "{"])))
    if around is None or not isinstance(around, dict) or not around:
        return nested
    key = draw(st.sampled_from(sorted(around)))
    return json.dumps({**around, key: "__DEEP__"}).replace('"__DEEP__"', nested)


not_utf8 = st.binary(min_size=1, max_size=64).filter(lambda b: not _decodes(b))


def _decodes(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


charsets = st.sampled_from(["", "; charset=utf-8", "; charset=UTF-8", "; charset=latin-1", "; charset=utf-16",
                            "; charset=nonsense-42", "; charset=", '; charset="utf-8"', "; charset=ebcdic-cp-us",
                            "; charset=us-ascii"])


@st.composite
def bodies(draw: st.DrawFn, valid: Any) -> bytes:
    """A body as an attacker sends it: a real one mutated, any JSON, deep JSON, text, or non-UTF-8."""
    kind = draw(st.sampled_from(["mutated", "mutated", "any", "deep", "text", "not_utf8", "empty"]))
    if kind == "mutated":
        return json.dumps(draw(mutated(valid))).encode()
    if kind == "any":
        return json.dumps(draw(json_values)).encode()
    if kind == "deep":
        return draw(deep_json(valid)).encode()
    if kind == "text":
        return draw(st.text(max_size=80)).encode()
    if kind == "not_utf8":
        return draw(not_utf8)
    return b""
