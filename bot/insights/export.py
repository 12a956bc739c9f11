"""CSV for HR's spreadsheets: UTF-8, one figure per line, the value empty where withheld and the
note saying why. Rows come from the audited views only."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from bot.insights.model import Row

HEADER = ("period", "group_kind", "group", "metric", "value", "note")


def cell_text(value: float | int | None) -> str:
    if value is None:
        return ""
    return str(value) if isinstance(value, int) else f"{value:.3f}".rstrip("0").rstrip(".")


def to_csv(rows: Iterable[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow((row.period, row.group_kind, row.group, row.metric, cell_text(row.value), row.note))
    return out.getvalue()
