"""Prompt packs: YAML data validated at load, with errors that name the file, the line and the fix."""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from yaml.reader import ReaderError


class PackError(Exception):
    """A pack that cannot be used; the message is `file:line: problem. Fix: fix`."""


@dataclass(frozen=True)
class PackNudge:
    """One nudge a leader reads in a DM, with a small action, the reason and a follow-up."""

    id: str
    theme: str
    text: str
    action: str
    why: str
    follow_up: str


@dataclass(frozen=True)
class Pack:
    """A themed set of nudges, delivered in order by a campaign."""

    id: str
    name: str
    description: str
    locale: str
    nudges: tuple[PackNudge, ...]


def default_folder() -> Path:
    """The installed prompts/packs folder."""
    return Path(str(files("prompts") / "packs"))


def _schema() -> dict[str, Any]:
    """The pack schema, kept as data next to the packs."""
    return json.loads((default_folder() / "schema.json").read_text(encoding="utf-8"))


def _line_of(node: yaml.Node, path: Sequence[Any]) -> int:
    """The 1-based line of the YAML node at `path`, or of its nearest existing parent."""
    for key in path:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            match = node.value[key]
        else:
            match = None
        if match is None:
            break
        node = match
    return node.start_mark.line + 1


def _fail(path: Path, line: int, problem: str, fix: str) -> PackError:
    """A PackError in the one format operators see: file:line: problem. Fix: fix."""
    return PackError(f"{path}:{line}: {problem.rstrip('.')}. Fix: {fix}")


def _fix_for(error: jsonschema.ValidationError) -> str:
    """A concrete fix for a schema error, so an author need not read the schema."""
    v, value = error.validator, error.validator_value
    if v == "required":
        missing = [k for k in value if isinstance(error.instance, dict) and k not in error.instance]
        return f"add `{missing[0] if missing else value[0]}:` here"
    if v == "additionalProperties":
        return "remove the unknown field or fix its spelling (allowed: " + ", ".join(error.schema.get("properties", {})) + ")"
    if v == "enum":
        return "use one of: " + ", ".join(map(str, value))
    if v == "pattern":
        return "use lower-case letters, digits and dashes, e.g. `silo-01`" if "a-z0-9" in str(value) else f"match {value}"
    if v == "minLength":
        return f"write at least {value} characters"
    if v in ("minItems",):
        return "add at least one nudge"
    if v == "type":
        return f"make it a {value}" + (" (quote text that contains a colon)" if value == "string" else "")
    return "see prompts/packs/schema.json"


def _read(path: Path, raw: bytes) -> tuple[yaml.Node | None, Any]:
    """The file's YAML node tree and data; PackError for bytes that are not UTF-8, characters
    YAML refuses, broken YAML and nesting too deep to read (each a line and a fix, not a traceback)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _fail(path, raw.count(b"\n", 0, exc.start) + 1, f"byte 0x{raw[exc.start]:02x} is not UTF-8",
                    "save the file as UTF-8 (most editors: Save with encoding > UTF-8)") from exc
    try:
        return yaml.compose(text), yaml.safe_load(text)
    except ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise _fail(path, line, f"character U+{int(exc.character):04X} is not allowed in YAML",
                    "delete it or write it as an escape inside double quotes, e.g. \"\\x1f\"") from exc
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        raise _fail(path, line, f"not valid YAML ({exc.problem})", "check the indentation and quoting") from exc
    except yaml.YAMLError as exc:
        raise _fail(path, 1, f"not valid YAML ({exc})", "check the indentation and quoting") from exc
    except RecursionError as exc:
        raise _fail(path, 1, "the YAML is nested too deeply to read",
                    "a pack is a mapping with a list of nudges: remove the extra brackets or indentation") from exc


def load_pack(path: Path | str) -> Pack:
    """Load and validate one pack file; raises PackError naming the file, line and fix."""
    path = Path(path)
    return _parse(path, path.read_bytes())


@lru_cache(maxsize=32)
def _parse(path: Path, raw: bytes) -> Pack:
    """Once per file content: parsing is most of a runtime's start-up, and every CLI run (and test)
    builds one from the same files. Packs are frozen, so sharing one is safe."""
    node, data = _read(path, raw)
    if node is None or not isinstance(data, dict):
        raise _fail(path, 1, "the pack is empty or not a mapping", "start with `id:`, `name:` and `nudges:`")
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(_schema()).iter_errors(data))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "the pack"
        raise _fail(path, _line_of(node, list(error.absolute_path)), f"{where}: {error.message}",
                    _fix_for(error))
    if data["id"] != path.stem:
        raise _fail(path, _line_of(node, ["id"]), f"id {data['id']!r} differs from the file name",
                    f"set `id: {path.stem}` or rename the file")
    seen: set[str] = set()
    for index, item in enumerate(data["nudges"]):
        if item["id"] in seen:
            raise _fail(path, _line_of(node, ["nudges", index, "id"]), f"nudge id {item['id']!r} is used twice",
                        "give every nudge its own id")
        seen.add(item["id"])
    nudges = tuple(PackNudge(**{k: item[k] for k in PackNudge.__dataclass_fields__}) for item in data["nudges"])
    return Pack(data["id"], data["name"], data["description"], data["locale"], nudges)


def load_packs(folder: Path | None = None) -> dict[str, Pack]:
    """Every pack in the folder; a nudge id used by two packs is an error too."""
    packs: dict[str, Pack] = {}
    owners: dict[str, str] = {}
    for path in sorted(Path(folder or default_folder()).glob("*.yaml")):
        pack = load_pack(path)
        for index, nudge in enumerate(pack.nudges):
            if nudge.id in owners:
                node = _read(path, path.read_bytes())[0]
                line = _line_of(node, ["nudges", index, "id"]) if node is not None else 1
                raise _fail(path, line, f"nudge id {nudge.id!r} is also in pack {owners[nudge.id]!r}",
                            "give it an id no other pack uses, e.g. with the pack's own prefix")
            owners[nudge.id] = pack.id
        packs[pack.id] = pack
    return packs


def next_nudge(pack: Pack, seen_ids: Sequence[str]) -> PackNudge:
    """The first nudge the leader hasn't seen; once all are seen, the one seen longest ago.
    `seen_ids` is ordered oldest first."""
    last_seen = {nudge_id: position for position, nudge_id in enumerate(seen_ids)}
    unseen = [n for n in pack.nudges if n.id not in last_seen]
    if unseen:
        return unseen[0]
    return min(pack.nudges, key=lambda n: last_seen[n.id])
