"""The campaign form: its fields to a CampaignSpec and back, and the spec's field errors placed next
to the field they concern, in the form's own words ("Cron", "End date", never `cadence.cron`)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from multidict import MultiDictProxy

from bot.campaigns.diff import Change, shown
from bot.campaigns.spec import CampaignSpec, FieldError
from bot.copy import Copy
from bot.scheduling.planner import SHORT_DAYS

FIELD_OF = {"name": "name", "pack": "pack", "cadence.weekday": "weekday", "cadence.time": "time",
            "cadence.every_n_weeks": "every", "cadence.cron": "cron", "cadence.timezone": "timezone",
            "audience.kind": "audience_kind", "audience.ids": "audience", "audience": "audience",
            "start_date": "start", "end_date": "end", "quiet_days": "quiet_days",
            "reminder_after_days": "reminder", "team_channels": "channels", "state": "state",
            "grace_hours": "grace"}
WORDS = re.compile(r"\b(" + "|".join(re.escape(k) for k in sorted(FIELD_OF, key=len, reverse=True)) + r")\b")


@dataclass
class Filled:
    """What the person typed (to show again), the spec it makes, and errors by form field."""

    values: dict[str, Any]
    spec: CampaignSpec | None
    errors: dict[str, list[str]] = field(default_factory=dict)


def values_of(spec: CampaignSpec) -> dict[str, Any]:
    return {"name": spec.name, "pack": spec.pack, "weekday": spec.weekday, "time": spec.time,
            "every": str(spec.every_n_weeks), "cron": spec.cron or "", "timezone": spec.timezone or "",
            "audience_kind": spec.audience_kind, "audience": "\n".join(spec.audience),
            "start": spec.start_date or "", "end": spec.end_date or "", "quiet_days": list(spec.quiet_days),
            "channels": "\n".join(f"{k}={v}" for k, v in spec.team_channels.items()),
            "reminder": str(spec.reminder_after_days or ""), "activate": spec.state == "active"}


def blank() -> dict[str, Any]:
    return values_of(CampaignSpec(name="", pack="going-first"))


def read(form: MultiDictProxy[Any], words: Copy, *, state: str | None = None) -> Filled:
    text = {k: str(form.get(k, "")).strip() for k in ("name", "pack", "weekday", "time", "every", "cron",
                                                         "timezone", "audience_kind", "audience", "start", "end",
                                                         "channels", "reminder")}
    values: dict[str, Any] = {**text, "quiet_days": [d for d in form.getall("quiet_days", []) if d in SHORT_DAYS],
                              "activate": form.get("activate") == "on"}
    filled = Filled(values, None)
    every = _number(text["every"] or "1", "every", words, filled)
    reminder = _number(text["reminder"], "reminder", words, filled) if text["reminder"] else None
    lines = [line.strip() for line in text["channels"].splitlines() if line.strip()]
    if any("=" not in line for line in lines):
        filled.errors.setdefault("channels", []).append(words("campaign_form.channels_shape"))
    if filled.errors:
        return filled
    filled.spec = CampaignSpec(
        name=text["name"], pack=text["pack"], weekday=text["weekday"] or "tue", time=text["time"] or "10:00",
        every_n_weeks=every or 1, cron=text["cron"] or None, timezone=text["timezone"] or None,
        audience_kind=text["audience_kind"] or "workspace",
        audience=[a.strip() for a in re.split(r"[\n,]", text["audience"]) if a.strip()],
        start_date=text["start"] or None, end_date=text["end"] or None, quiet_days=values["quiet_days"],
        team_channels=dict(line.split("=", 1) for line in lines), reminder_after_days=reminder,
        state=state if state is not None else ("active" if values["activate"] else None))
    return filled


def _number(raw: str, name: str, words: Copy, filled: Filled) -> int | None:
    try:
        return int(raw)
    except ValueError:
        filled.errors.setdefault(name, []).append(words("campaign_form.not_a_number", value=raw))
        return None


def place(errors: list[FieldError], words: Copy) -> dict[str, list[str]]:
    """Each error under its form field ('form' for the rest), with spec names turned into labels."""
    placed: dict[str, list[str]] = {}
    for error in errors:
        name = FIELD_OF.get(error.field) or FIELD_OF.get(error.field.split(".")[0], "form")
        label = label_of(name, words)
        sentence = words("campaign_form.error", label=label, problem=_words(error.problem, words),
                         fix=_words(error.fix, words))
        placed.setdefault(name, []).append(sentence)
    return placed


def label_of(name: str, words: Copy) -> str:
    return words(f"campaign_form.fields.{name}") if name != "form" else words("campaign_form.general")


def _words(text: str, words: Copy) -> str:
    return WORDS.sub(lambda m: label_of(FIELD_OF[m.group(1)], words), text)


def change_rows(changes: list[Change], words: Copy) -> list[tuple[str, str, str]]:
    """(label, before, after) for the confirmation table."""
    return [(label_of(FIELD_OF.get(c.field, "form"), words), shown(c.before), shown(c.after)) for c in changes]
