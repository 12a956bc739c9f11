"""What the console's outcomes and themes pages show, as plain data: the filters a page was asked
for (checked, with a default for each), and its tables. Every figure is read from one audited
`Insights`; a withheld cell carries a note number, and each note says why and where it was pooled.
Each table's CSV is the same figures as rows (`Insights.table`), with the pooled ones after them."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.coach import THEMES
from bot.insights.lattice import METRICS, action_windows, minimum_for
from bot.insights.model import ActionFact, Row
from bot.core.streaks import iso_week
from bot.insights.periods import KINDS, WEEK, shift, week_range
from bot.insights.suppression import Key
from bot.insights.tally import CAMPAIGN, DEPARTMENT, RAISED_METRICS, STREAK_BUCKETS, TEAM, WORKSPACE, Group
from bot.insights.views import DERIVED, THEMES_ROWS, Insights

GROUP_KINDS = (WORKSPACE, DEPARTMENT, TEAM, CAMPAIGN)
PAGE_SIZE = 25
OUTCOME_COLUMNS = ("leaders_nudged", "leaders_shared", "share_rate", "shares_posted", "replies", "replies_per_share",
                   "shares_with_replies", "answered_rate")
STREAK_COLUMNS = tuple(name for *_, name in STREAK_BUCKETS)
TREND_LINES = ("share_rate", "answered_rate")
RAISED_COLUMNS = RAISED_METRICS
ACTION_WEEKS = 4  # weeks charted on each side of an action's week


class BadFilter(ValueError):
    """A query parameter the page can't use: `field` names it, `choices` what it may be."""

    def __init__(self, field: str, choices: tuple[str, ...] = ()) -> None:
        super().__init__(field)
        self.field, self.choices = field, choices


@dataclass(frozen=True)
class Filters:
    by: str  # the kind of group each table row is
    kind: str  # week, month, quarter or all
    at: str  # the period the group tables show ("" when there is none yet)
    group: str  # the group the trends follow, of kind `by` ("" for the whole workspace)
    theme: str  # one theme to trend, or "" for every theme
    page: int

    def trend_group(self, insights: Insights) -> Group:
        return (self.by, self.group) if self.group else insights.lattice.workspace

    def query(self, **changed: str | int) -> dict[str, str]:
        """These filters as query parameters, with some changed (for links and downloads)."""
        found = {"by": self.by, "kind": self.kind, "at": self.at, "group": self.group, "theme": self.theme,
                 "page": str(self.page)}
        found.update({k: str(v) for k, v in changed.items()})
        return {k: v for k, v in found.items() if v}


def parse_filters(insights: Insights, query: Mapping[str, str]) -> Filters:
    """The filters of a page's query string; anything unknown is a BadFilter naming the parameter."""
    by = query.get("by") or WORKSPACE
    if by not in GROUP_KINDS:
        raise BadFilter("by", GROUP_KINDS)
    kind = query.get("kind") or "month"
    if kind not in KINDS:
        raise BadFilter("kind", KINDS)
    periods = [p.key for p in insights.periods(kind)]
    at = query.get("at") or (periods[-1] if periods else "")
    if at and at not in periods:
        raise BadFilter("at")
    group = query.get("group", "")
    if group and group not in insights.lattice.groups.get(by, []):
        raise BadFilter("group")
    theme = query.get("theme", "")
    if theme and theme not in THEMES:
        raise BadFilter("theme", tuple(THEMES))
    page = query.get("page") or "1"
    if not page.isdigit() or int(page) < 1:
        raise BadFilter("page")
    return Filters(by, kind, at, group, theme, int(page))


@dataclass(frozen=True)
class Note:
    """Why cells were withheld, and the published figure they were pooled into, if any."""

    number: int
    minimum: int
    derived: bool  # a ratio made from a withheld figure
    text: bool  # held to the free-text minimum
    pooled: Key | None
    pooled_value: float | int | None


@dataclass(frozen=True)
class Figure:
    metric: str
    value: float | int | None
    note: int = 0  # the number of the note saying why, when withheld
    in_progress: bool = False


@dataclass(frozen=True)
class Grid:
    """One table of a page: rows of figures under metric columns, its notes, and its CSV rows."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, tuple[Figure, ...]], ...]
    notes: tuple[Note, ...]
    page: int = 1
    pages: int = 1

    def column(self, metric: str) -> list[tuple[str, float | int | None]]:
        at = self.columns.index(metric)
        return [(label, figures[at].value) for label, figures in self.rows]


def grid(insights: Insights, name: str, columns: tuple[str, ...], rows: list[tuple[str, list[Key]]],
         page: int = 1, pages: int = 1) -> Grid:
    notes: dict[tuple[int, bool, bool, Key | None], Note] = {}
    found = []
    for label, keys in rows:
        figures = []
        for key in keys:
            row, into = insights.explained(key)
            number = 0
            if row.value is None:
                derived = key.metric in DERIVED
                why = (0 if derived else minimum_for(key.metric, insights.thresholds), derived,
                       METRICS.get(key.metric, ("", False, 0))[1], into)
                if why not in notes:
                    notes[why] = Note(len(notes) + 1, *why, None if into is None else insights.figure(into))
                number = notes[why].number
            figures.append(Figure(key.metric, row.value, number, bool(row.note) and row.value is not None))
        found.append((label, tuple(figures)))
    return Grid(name, columns, tuple(found), tuple(notes.values()), page, pages)


def keys_of(grid_rows: list[tuple[str, list[Key]]]) -> list[Key]:
    return [key for _, keys in grid_rows for key in keys]


def group_rows(insights: Insights, filters: Filters, columns: tuple[str, ...], page: int | None
               ) -> tuple[list[tuple[str, list[Key]]], int]:
    """One row per group of the page's kind at its period (one page of them, or all for a download)."""
    names = insights.lattice.groups.get(filters.by, [])
    pages = max(1, -(-len(names) // PAGE_SIZE))
    if page is not None:
        names = names[(min(page, pages) - 1) * PAGE_SIZE:min(page, pages) * PAGE_SIZE]
    if not filters.at:
        return [], pages
    return [(name, [Key(filters.at, filters.by, name, m) for m in columns]) for name in names], pages


def trend_rows(insights: Insights, filters: Filters, columns: tuple[str, ...]) -> list[tuple[str, list[Key]]]:
    """One row per period of the page's kind, for the group the trends follow."""
    kind, name = filters.trend_group(insights)
    return [(p.key, [Key(p.key, kind, name, m) for m in columns]) for p in insights.periods(filters.kind)]


def streak_rows(insights: Insights, filters: Filters) -> list[tuple[str, list[Key]]]:
    """Streaks are read at the end of a month or longer: none for a week."""
    if filters.kind == WEEK or not filters.at:
        return []
    kind, name = filters.trend_group(insights)
    return [(filters.at, [Key(filters.at, kind, name, m) for m in ("streak_leaders", *STREAK_COLUMNS)])]


def campaign_rows(insights: Insights) -> list[tuple[str, list[Key]]]:
    """Each started campaign's first four weeks and its latest four."""
    found = []
    for _, name in insights.groups(CAMPAIGN):
        windows = insights.campaign_windows(name)
        for period in windows or ():
            found.append((f"{name} · {period.key}", [Key(period.key, CAMPAIGN, name, m) for m in OUTCOME_COLUMNS]))
    return found


def theme_columns(filters: Filters) -> tuple[str, ...]:
    return (f"theme:{filters.theme}",) if filters.theme else THEMES_ROWS


def action_rows(insights: Insights, actions: list[ActionFact]) -> list[tuple[str, list[Key]]]:
    """Each action's theme and everyone naming a barrier, in the four weeks before it and after it."""
    found = []
    for action in actions:
        for window in action_windows(action.taken_on, insights.lattice.current_week, insights.lattice.workspace):
            found.append((f"{action.id}", [insights.workspace_key(window.key, f"theme:{action.theme}"),
                                           insights.workspace_key(window.key, "barrier_people")]))
    return found


def action_series(insights: Insights, action: ActionFact) -> list[tuple[str, float | int | None]]:
    """The action's theme, workspace-wide, week by week from four weeks before its week to four after."""
    week = iso_week(action.taken_on)
    weeks = week_range(shift(week, -ACTION_WEEKS), min(shift(week, ACTION_WEEKS), insights.lattice.current_week))
    return [(w, insights.figure(insights.workspace_key(w, f"theme:{action.theme}"))) for w in weeks]


def csv_rows(insights: Insights, grid_rows: list[tuple[str, list[Key]]]) -> list[Row]:
    return insights.table(keys_of(grid_rows))

