"""Finding a nudge's prompt in its pack: a pack edited after planning must fail visibly."""
from __future__ import annotations

from bot.coach.packs import Pack, PackNudge


def prompt_in(pack: Pack, prompt_id: str) -> PackNudge:
    for prompt in pack.nudges:
        if prompt.id == prompt_id:
            return prompt
    raise LookupError(f"prompt {prompt_id!r} is not in pack {pack.id!r}")
