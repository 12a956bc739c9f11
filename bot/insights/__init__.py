"""What HR sees: outcomes and barrier themes by campaign, department, team and period, counted by
people, and shown only when no small group can be picked out, directly or by subtraction
(suppression.py is the one place that decides). Fix the system, not the person. docs/insights.md
describes the API below."""
from __future__ import annotations

from bot.insights.announce import Announcement, actions_to_announce
from bot.insights.export import HEADER, to_csv
from bot.insights.model import ActionFact, Row, Thresholds
from bot.insights.records import BadRecord, add_action, list_actions, set_department
from bot.insights.service import barrier_report, load_insights
from bot.insights.trends import (ActionEffect, BarrierReport, CampaignTrend, Change, ThemeCount, action_effects,
                                 barriers, campaign_trends, theme_series)
from bot.insights.views import BY, OUTCOMES, THEMES_ROWS, BadView, Insights

__all__ = [
    "BY", "HEADER", "OUTCOMES", "THEMES_ROWS", "ActionEffect", "ActionFact", "Announcement", "BadRecord", "BadView",
    "BarrierReport", "CampaignTrend", "Change", "Insights", "Row", "ThemeCount", "Thresholds", "action_effects",
    "actions_to_announce", "add_action", "barrier_report", "barriers", "campaign_trends", "list_actions",
    "load_insights", "set_department", "theme_series", "to_csv",
]
