"""A campaign as an admin writes it (CLI flags or YAML), validated field by field: every problem
names the field and the fix, and all of them are reported at once."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from bot.campaigns.audience import AUDIENCE_KINDS
from bot.scheduling.planner import SHORT_DAYS, PlanError, cron_trigger, parse_days, parse_hhmm, zone_named

STATES = ("draft", "active", "paused", "ended")
TRANSITIONS = {"active": ("draft", "paused"), "paused": ("active",), "ended": ("draft", "active", "paused")}


@dataclass(frozen=True)
class FieldError:
    field: str
    problem: str
    fix: str

    def __str__(self) -> str:
        return f"{self.field}: {self.problem}. Fix: {self.fix}"


class InvalidCampaign(ValueError):
    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


@dataclass
class CampaignSpec:
    name: str
    pack: str
    weekday: str = "tue"
    time: str = "10:00"
    every_n_weeks: int = 1
    cron: str | None = None
    timezone: str | None = None
    audience_kind: str = "workspace"
    audience: list[str] = field(default_factory=list)
    start_date: str | None = None
    end_date: str | None = None
    quiet_days: list[str] = field(default_factory=list)
    team_channels: dict[str, str] = field(default_factory=dict)
    reminder_after_days: int | None = 2
    grace_hours: float | None = None
    state: str | None = None

    def to_yaml_dict(self) -> dict[str, Any]:
        """The export form: the nested shape `from_yaml_dict` reads, nothing left implicit."""
        flat = asdict(self)
        return {
            "name": flat["name"], "pack": flat["pack"], "state": flat["state"] or "draft",
            "cadence": {k: flat[k] for k in ("weekday", "time", "every_n_weeks", "cron", "timezone")},
            "audience": {"kind": flat["audience_kind"], "ids": flat["audience"]},
            "start_date": flat["start_date"], "end_date": flat["end_date"], "quiet_days": flat["quiet_days"],
            "team_channels": flat["team_channels"], "reminder_after_days": flat["reminder_after_days"],
            "grace_hours": flat["grace_hours"],
        }


def from_yaml_dict(data: Any, where: str = "campaign") -> CampaignSpec:
    """Reads the export form; shape errors name the key path."""
    if not isinstance(data, dict):
        raise InvalidCampaign([FieldError(where, "is not a mapping", "write the campaign as `key: value` lines")])
    known = {"name", "pack", "state", "cadence", "audience", "start_date", "end_date", "quiet_days",
             "team_channels", "reminder_after_days", "grace_hours"}
    unknown = sorted(str(key) for key in set(data) - known)
    if unknown:
        raise InvalidCampaign([FieldError(f"{where}.{unknown[0]}", "is not a campaign field",
                                          f"use only: {', '.join(sorted(known))}")])
    cadence, audience = data.get("cadence") or {}, data.get("audience") or {}
    if not isinstance(cadence, dict) or not isinstance(audience, dict):
        raise InvalidCampaign([FieldError(f"{where}.cadence", "cadence and audience must be mappings",
                                          "see `gofirst campaign export` for the shape")])
    quiet = data.get("quiet_days") or []
    reminder = data.get("reminder_after_days", 2)
    ids, channels = audience.get("ids") or [], data.get("team_channels") or {}
    if not isinstance(ids, (list, str)) or not isinstance(channels, dict):
        raise InvalidCampaign([FieldError(f"{where}.audience.ids" if not isinstance(ids, (list, str))
                                          else f"{where}.team_channels", "has the wrong shape",
                                          "ids is a list of people, team_channels maps a leader to a channel")])
    return CampaignSpec(
        name=str(data.get("name") or ""), pack=str(data.get("pack") or ""),
        weekday=str(cadence.get("weekday", "tue")), time=str(cadence.get("time", "10:00")),
        every_n_weeks=cadence.get("every_n_weeks", 1), cron=_text(cadence.get("cron")),
        timezone=_text(cadence.get("timezone")), audience_kind=str(audience.get("kind", "workspace")),
        audience=[str(i) for i in ([ids] if isinstance(ids, str) else ids)],
        start_date=_text(data.get("start_date")), end_date=_text(data.get("end_date")),
        quiet_days=[str(d) for d in (quiet if isinstance(quiet, list) else str(quiet).split(","))],
        team_channels={str(k): str(v) for k, v in channels.items()},
        reminder_after_days=None if reminder in (None, False, "off", 0) else reminder,
        grace_hours=data.get("grace_hours"), state=data.get("state"),
    )


def _text(value: Any) -> str | None:
    return None if value is None else value.isoformat() if isinstance(value, date) else str(value)


def validate(spec: CampaignSpec, packs: dict[str, Any]) -> list[FieldError]:
    """Everything that can be checked without the database."""
    errors: list[FieldError] = []
    if not spec.name.strip() or len(spec.name) > 120:
        errors.append(FieldError("name", "is empty or longer than 120 characters", "give the campaign a short name"))
    if spec.pack not in packs:
        errors.append(FieldError("pack", f"unknown pack {spec.pack!r}", f"use one of: {', '.join(sorted(packs)) or '(none installed)'}"))
    if spec.cron:
        try:
            cron_trigger(spec.cron, zone_named("UTC"))
        except PlanError as exc:
            errors.append(FieldError("cadence.cron", exc.problem.split(";")[0], "five fields: minute hour day month "
                                     "weekday, e.g. '0 10 * * mon' (Mondays 10:00) or '30 9 * * 1-5'"))
    else:
        if weekday_number(spec.weekday) is None:
            errors.append(FieldError("cadence.weekday", f"{spec.weekday!r} is not a weekday", "use mon, tue, … sun"))
        if not isinstance(spec.every_n_weeks, int) or not 1 <= spec.every_n_weeks <= 12:
            errors.append(FieldError("cadence.every_n_weeks", f"{spec.every_n_weeks!r} is not 1 to 12",
                                     "use 1 for weekly, 2 for fortnightly"))
    _check(errors, "cadence.time", lambda: parse_hhmm(spec.time, "time"), "write it as HH:MM, e.g. 10:00")
    if spec.timezone:
        _check(errors, "cadence.timezone", lambda: zone_named(spec.timezone or ""),
               "use an IANA name such as Europe/Berlin, or leave it out to use each leader's own zone")
    if spec.audience_kind not in AUDIENCE_KINDS:
        errors.append(FieldError("audience.kind", f"{spec.audience_kind!r} is not an audience",
                                 f"use one of: {', '.join(AUDIENCE_KINDS)}"))
    elif spec.audience_kind != "workspace" and not spec.audience:
        errors.append(FieldError("audience.ids", "the audience is empty",
                                 f"list at least one {spec.audience_kind[:-1]}, or use kind 'workspace'"))
    dates = {}
    for name in ("start_date", "end_date"):
        value = getattr(spec, name)
        if value:
            try:
                dates[name] = date.fromisoformat(value)
            except ValueError:
                errors.append(FieldError(name, f"{value!r} is not a date", "write it as YYYY-MM-DD"))
    if len(dates) == 2 and dates["end_date"] < dates["start_date"]:
        errors.append(FieldError("end_date", f"{spec.end_date} is before start_date {spec.start_date}",
                                 "set end_date on or after start_date"))
    _check(errors, "quiet_days", lambda: _all_days_quiet(spec.quiet_days), "use mon..sun, and keep a working day")
    if spec.reminder_after_days is not None and (not isinstance(spec.reminder_after_days, int)
                                                 or not 1 <= spec.reminder_after_days <= 10):
        errors.append(FieldError("reminder_after_days", f"{spec.reminder_after_days!r} is not 1 to 10",
                                 "use a number of working days, or 'off' for no reminder"))
    if spec.grace_hours is not None and (not isinstance(spec.grace_hours, (int, float)) or spec.grace_hours < 0):
        errors.append(FieldError("grace_hours", f"{spec.grace_hours!r} is not a number of hours", "use e.g. 6"))
    if spec.state is not None and spec.state not in STATES:
        errors.append(FieldError("state", f"{spec.state!r} is not a state", f"use one of: {', '.join(STATES)}"))
    return errors


def _check(errors: list[FieldError], name: str, probe: Any, fix: str) -> None:
    try:
        probe()
    except PlanError as exc:
        errors.append(FieldError(name, exc.problem.split(";")[0], fix))


def _all_days_quiet(days: list[str]) -> None:
    if len(parse_days(",".join(days))) >= 7:
        raise PlanError("quiet_days", "every day of the week is quiet")


def weekday_number(text: str) -> int | None:
    token = str(text).strip().lower()
    if token.isdigit() and int(token) < 7:
        return int(token)
    return SHORT_DAYS.index(token[:3]) if token[:3] in SHORT_DAYS and len(token) >= 3 else None
