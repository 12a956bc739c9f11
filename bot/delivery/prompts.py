"""Finding a nudge's prompt in its pack: a pack edited after planning must fail visibly. A
translated pack (prompts/packs/<locale>/) gives the same nudge in the leader's language; a nudge it
doesn't have yet stays English."""
from __future__ import annotations

from bot.coach.packs import Pack, PackNudge
from bot.copy import normalize_locale
from bot.core.services import Services


def prompt_in(pack: Pack, prompt_id: str) -> PackNudge:
    for prompt in pack.nudges:
        if prompt.id == prompt_id:
            return prompt
    raise LookupError(f"prompt {prompt_id!r} is not in pack {pack.id!r}")


def prompt_for(services: Services, pack_id: str, prompt_id: str, locale: str | None) -> PackNudge:
    """The prompt in `locale` where its pack is translated, else the English one (which must exist)."""
    english = prompt_in(services.packs[pack_id], prompt_id)
    translated = services.translated_packs.get(normalize_locale(locale), {}).get(pack_id)
    return next((p for p in translated.nudges if p.id == prompt_id), english) if translated else english
