"""Prompt packs: YAML data validated at load, with errors that name the file, the line and the fix."""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import yaml


class PackError(Exception):
    """A pack that cannot be used; the message is `file:line: problem. Fix: fix`."""


@dataclass(frozen=True)
class PackNudge:
    id: str
    theme: str
    text: str
    action: str
    why: str
    follow_up: str


@dataclass(frozen=True)
class Pack:
    id: str
    name: str
    description: str
    locale: str
    nudges: tuple[PackNudge, ...]


def default_folder() -> Path:
    return Path(str(files("prompts") / "packs"))


def _schema() -> dict[str, Any]:
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
    return PackError(f"{path}:{line}: {problem}. Fix: {fix}")


def load_pack(path: Path) -> Pack:
    text = path.read_text(encoding="utf-8")
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        raise _fail(path, line, f"not valid YAML ({exc.problem})", "check the indentation and quoting") from exc
    if node is None or not isinstance(data, dict):
        raise _fail(path, 1, "the pack is empty or not a mapping", "start with `id:`, `name:` and `nudges:`")
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(_schema()).iter_errors(data))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "the pack"
        raise _fail(path, _line_of(node, list(error.absolute_path)), f"{where}: {error.message}",
                    "see prompts/packs/schema.json for the fields each nudge needs")
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
    for path in sorted((folder or default_folder()).glob("*.yaml")):
        pack = load_pack(path)
        for nudge in pack.nudges:
            if nudge.id in owners:
                raise PackError(f"{path}:1: nudge id {nudge.id!r} is also in pack {owners[nudge.id]!r}. "
                                "Fix: nudge ids must be unique across all packs")
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
