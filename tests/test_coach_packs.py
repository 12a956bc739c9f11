"""Prompt packs: the shipped ones load, broken ones fail with file, line and fix, and a leader
sees no nudge twice until the pack is used up."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.coach.packs import Pack, PackError, PackNudge, load_pack, load_packs, next_nudge

GOOD = """\
id: {id}
name: Test pack
description: A pack for tests.
locale: en
nudges:
  - id: {nid}
    theme: time
    text: "Try posting one update yourself this week."
    action: "Post one update in the channel."
    why: "People copy what leaders do."
    follow_up: "What happened when you posted?"
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_packs_load_with_enough_unique_nudges() -> None:
    packs = load_packs()
    assert {"use-it-first", "cross-a-silo", "lighthouse", "close-the-loop"} <= set(packs)
    for name in ("use-it-first", "cross-a-silo", "lighthouse", "close-the-loop"):
        assert len(packs[name].nudges) >= 8
    ids = [n.id for p in packs.values() for n in p.nudges]
    assert len(ids) >= 40 and len(ids) == len(set(ids))
    themes = {n.theme for n in packs["cross-a-silo"].nudges}
    assert {"time", "fear", "know_how"} <= themes


def test_load_pack_returns_frozen_dataclasses(tmp_path: Path) -> None:
    pack = load_pack(write(tmp_path, "demo", GOOD.format(id="demo", nid="demo-01")))
    assert isinstance(pack, Pack) and isinstance(pack.nudges[0], PackNudge)
    assert pack.nudges[0].follow_up == "What happened when you posted?"
    with pytest.raises(AttributeError):
        pack.name = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    "mutate, line, fix",
    [
        (lambda t: t.replace("    theme: time\n", "    theme: money\n"), 7, "use one of: time, fear"),
        (lambda t: t.replace('    why: "People copy what leaders do."\n', ""), 6, "add `why:`"),
        (lambda t: t.replace("  - id: demo-01", "  - id: Demo 01"), 6, "lower-case letters"),
        (lambda t: t + "    colour: red\n", 6, "remove the unknown field"),
        (lambda t: t.replace("id: demo\n", "id: other\n"), 1, "set `id: demo`"),
        (lambda t: t.replace("    theme: time\n", "   theme: time\n"), 7, "indentation"),
    ],
)
def test_errors_name_file_line_and_fix(tmp_path: Path, mutate, line: int, fix: str) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, "demo", mutate(GOOD.format(id="demo", nid="demo-01")))
    with pytest.raises(PackError) as info:
        load_pack(path)
    message = str(info.value)
    assert message.startswith(f"{path}:{line}: "), message
    assert ". Fix: " in message and fix in message.split(". Fix: ", 1)[1]


def test_nudge_id_shared_by_two_packs_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "a", GOOD.format(id="a", nid="same-01"))
    path_b = write(tmp_path, "b", GOOD.format(id="b", nid="same-01"))
    with pytest.raises(PackError, match=rf"^{path_b}:6: nudge id 'same-01' is also in pack 'a'"):
        load_packs(tmp_path)


def _pack(*ids: str) -> Pack:
    nudges = tuple(PackNudge(i, "time", "text", "action", "why", "follow up") for i in ids)
    return Pack("p", "P", "d", "en", nudges)


def test_next_nudge_goes_in_order_without_repeats_then_least_recent() -> None:
    pack = _pack("a", "b", "c")
    seen: list[str] = []
    for _ in range(3):
        seen.append(next_nudge(pack, seen).id)
    assert seen == ["a", "b", "c"]
    assert next_nudge(pack, seen).id == "a"
    assert next_nudge(pack, ["b", "c", "a"]).id == "b"
    assert next_nudge(pack, ["c", "a", "b", "c"]).id == "a"


def test_next_nudge_skips_seen_ones_out_of_order_and_ignores_unknown_ids() -> None:
    pack = _pack("a", "b", "c")
    assert next_nudge(pack, ["b"]).id == "a"
    assert next_nudge(pack, ["a", "gone-99"]).id == "b"
