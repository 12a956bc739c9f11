"""What saving a campaign over an existing one would change, field by field, so neither the CLI's
`--replace` nor the console's edit overwrites anything unseen."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.campaigns.spec import CampaignSpec


@dataclass(frozen=True)
class Change:
    field: str  # the export form's key path, e.g. cadence.time
    before: Any
    after: Any

    def __str__(self) -> str:
        return f"{self.field}: {shown(self.before)} → {shown(self.after)}"


def flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict) and key != "team_channels":
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def difference(before: CampaignSpec, after: CampaignSpec) -> list[Change]:
    """The fields `after` changes; a spec that names no state keeps the campaign's."""
    old, new = flatten(before.to_yaml_dict()), flatten(after.to_yaml_dict())
    if after.state is None:
        new["state"] = old["state"]
    return [Change(key, old.get(key), new[key]) for key in new if old.get(key) != new[key]]


def shown(value: Any) -> str:
    if value in (None, "", [], {}):
        return "(none)"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    return str(value)
